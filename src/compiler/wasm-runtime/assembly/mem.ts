// Heap of the Warden wasm runtime: one bump allocator that owns the OPA ABI heap
// (opa_heap_ptr_get/set, opa_eval's heap argument). Nothing is ever freed individually:
// hosts reset the pointer between evaluations, which is the ABI's intended reuse.

@external("env", "opa_abort") export declare function opa_abort(addr: usize): void;

// Patched by the linker to the first byte after all static data (runtime + policy
// constants); exported only so the linker can find it, then the export is removed.
export let HEAP_PTR: usize = 0;

const MSG_MALLOC = memory.data<u8>([111, 112, 97, 95, 109, 97, 108, 108, 111, 99, 58, 32, 102, 97, 105, 108, 101, 100, 0]); // "opa_malloc: failed"

// A size the memory is known to have: memory never shrinks, so an allocation ending below
// it needs no check of the live size. 0 in a fresh instance (a pool clone re-learns it).
let KNOWN_SIZE: usize = 0;

/** 8-byte aligned allocation; grows memory from its live size, aborts when it cannot. */
// @ts-ignore: decorator
@inline export function alloc(n: usize): usize {
  const p = (HEAP_PTR + 7) & ~(<usize>7);
  const end = p + n;
  // Overflow of the 32-bit address space counts as a failed growth too.
  if (end > KNOWN_SIZE || end < p) grow_to(p, end);
  HEAP_PTR = end;
  return p;
}

function grow_to(p: usize, end: usize): void {
  if (end < p) fail();
  let have = (<usize>memory.size()) << 16;
  if (end > have) {
    const need = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(need) < 0) fail();
    have = (<usize>memory.size()) << 16;
  }
  KNOWN_SIZE = have;
}

function fail(): void {
  opa_abort(MSG_MALLOC);
  unreachable();
}

export function abort_msg(msg: usize): void {
  opa_abort(msg);
  unreachable();
}
