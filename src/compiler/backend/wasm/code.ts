// Instruction-level builder for one function body, with named labels so the code
// generator never counts block depths by hand.
import { ByteWriter, I32 } from "./binary.js";

export interface Label {
  readonly id: number;
}

export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtU: 0x49,
  i32GtU: 0x4b,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  i32And: 0x71,
} as const;

const BLOCK_VOID = 0x40;

export class FunctionBuilder {
  private readonly w = new ByteWriter();
  private readonly localTypes: number[] = [];
  private readonly labels: number[] = [];
  private nextLabel = 0;

  constructor(readonly paramCount: number) {}

  local(type = I32): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  op(code: number): this {
    this.w.byte(code);
    return this;
  }
  i32(v: number): this {
    this.w.byte(Op.i32Const).s32(v);
    return this;
  }
  get(i: number): this {
    this.w.byte(Op.localGet).u32(i);
    return this;
  }
  set(i: number): this {
    this.w.byte(Op.localSet).u32(i);
    return this;
  }
  tee(i: number): this {
    this.w.byte(Op.localTee).u32(i);
    return this;
  }
  call(f: number): this {
    this.w.byte(Op.call).u32(f);
    return this;
  }
  load(offset: number): this {
    this.w.byte(Op.i32Load).u32(2).u32(offset);
    return this;
  }
  store(offset: number): this {
    this.w.byte(Op.i32Store).u32(2).u32(offset);
    return this;
  }

  private open(code: number, result: number | null): Label {
    this.w.byte(code).byte(result ?? BLOCK_VOID);
    const id = this.nextLabel++;
    this.labels.push(id);
    return { id };
  }
  block(result: number | null = null): Label {
    return this.open(Op.block, result);
  }
  loop(result: number | null = null): Label {
    return this.open(Op.loop, result);
  }
  if(result: number | null = null): Label {
    return this.open(Op.if, result);
  }
  else(): this {
    this.w.byte(Op.else);
    return this;
  }
  end(): this {
    this.labels.pop();
    this.w.byte(Op.end);
    return this;
  }
  private depth(l: Label): number {
    const i = this.labels.lastIndexOf(l.id);
    if (i < 0) throw new Error("wasm codegen: branch to a label that is not open");
    return this.labels.length - 1 - i;
  }
  br(l: Label): this {
    this.w.byte(Op.br).u32(this.depth(l));
    return this;
  }
  brIf(l: Label): this {
    this.w.byte(Op.brIf).u32(this.depth(l));
    return this;
  }

  /** The encoded body: local declarations, instructions, final `end`. */
  finish(): Uint8Array {
    if (this.labels.length) throw new Error("wasm codegen: unclosed block");
    const out = new ByteWriter();
    const groups: [number, number][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    out.u32(groups.length);
    for (const [n, t] of groups) out.u32(n).byte(t);
    out.bytes(this.w.finish());
    out.byte(Op.end);
    return out.finish();
  }
}
