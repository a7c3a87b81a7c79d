// policy.wasm → WebAssembly text, for `warden compile --emit wat` and golden tests.
// wabt is loaded on demand: only this flag needs it.

/** The module's text format (no names: the runtime library is stripped of them). */
export async function wasmToWat(bytes: Uint8Array): Promise<string> {
  const { default: init } = await import("wabt");
  const wabt = await init();
  const mod = wabt.readWasm(bytes, {
    readDebugNames: false,
    mutable_globals: true,
    sign_extension: true,
    sat_float_to_int: true,
    bulk_memory: true,
  });
  try {
    mod.validate();
    return mod.toText({ foldExprs: false, inlineExport: true });
  } finally {
    mod.destroy();
  }
}
