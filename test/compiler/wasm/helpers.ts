// Shared helpers for the wasm back-end tests: direct instantiation with a host that
// records aborts, and small IR builders.
import type { Expr, PolicyIR, RuleIR, Step } from "../../../src/compiler/ir/ir.js";

export const SPAN = { file: "t.warden", start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };

export interface Raw {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  aborts: string[];
  /** JSON text → value address (0 on a parse error). */
  parse(text: string, rego?: boolean): number;
  dump(addr: number, rego?: boolean): string;
}

export async function instantiate(bytes: Uint8Array<ArrayBuffer>, memory = new WebAssembly.Memory({ initial: 5 })): Promise<Raw> {
  const aborts: string[] = [];
  const readCStr = (addr: number): string => {
    const b = new Uint8Array(memory.buffer);
    let end = addr;
    while (b[end] !== 0) end++;
    return new TextDecoder().decode(b.subarray(addr, end));
  };
  const { instance } = (await WebAssembly.instantiate(bytes, {
    env: {
      memory,
      opa_abort(addr: number) {
        const msg = readCStr(addr);
        aborts.push(msg);
        throw new Error(msg);
      },
    },
  })) as WebAssembly.WebAssemblyInstantiatedSource;
  const ex = instance.exports as Record<string, any>;
  return {
    exports: ex,
    memory,
    aborts,
    parse(text: string, rego = false) {
      const b = new TextEncoder().encode(text);
      const p = ex.opa_malloc(b.length) as number;
      new Uint8Array(memory.buffer).set(b, p);
      return (rego ? ex.opa_value_parse : ex.opa_json_parse)(p, b.length) as number;
    },
    dump(addr: number, rego = false) {
      return readCStr((rego ? ex.opa_value_dump : ex.opa_json_dump)(addr) as number);
    },
  };
}

export function ref(root: "input" | "data" | "local", path: (string | number)[], name?: string): Expr {
  return name === undefined ? { op: "ref", root, path } : { op: "ref", root, name, path };
}
export const stmt = (...path: (string | number)[]): Expr => ref("local", path, "statement");
export const local = (name: string, ...path: (string | number)[]): Expr => ref("local", path, name);
export const c = (value: any): Expr => ({ op: "const", value });
export const filter = (cond: Expr): Step => ({ kind: "filter", cond, span: SPAN });
export const scan = (localName: string, source: Expr): Step => ({ kind: "scan", local: localName, source, span: SPAN });

export function rule(id: string, body: Step[], message: (string | Expr)[], extra: Partial<RuleIR> = {}): RuleIR {
  return {
    id,
    title: id,
    doc: "",
    severity: "error",
    action: "deny",
    on: ["migration", "sql", "runtime"],
    body,
    outcome: { kind: "message", message, location: [stmt("location")] },
    span: SPAN,
    ...extra,
  };
}

export function policy(rules: RuleIR[], data: Partial<PolicyIR["data"]> = {}): PolicyIR {
  return {
    policies: ["test"],
    rules,
    data: { classifications: {}, constants: {}, config: {}, ...data },
  };
}
