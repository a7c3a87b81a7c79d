// Evaluates part of a run's documents on a second thread, through the same bundle and the
// same opa-wasm evaluator as the main thread (2 cores: policy evaluation is a fifth of a run).
// This module is both sides: imported on the main thread it starts workers on its own file;
// loaded as a worker it serves evaluation requests.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Finding, JsonValue } from "../compiler/ir/ir.js";
import { loadBundleEvaluator } from "./bundle-evaluator.js";

interface Setup {
  kind: "warden-eval";
  wasm: Uint8Array;
  data: JsonValue;
}

// inputs as JSON text: cloning a string is one copy, cheaper on the main thread (the
// bottleneck) than encoding it there and transferring a buffer per document
type Request = { id: number; inputs: string[] };
type Reply = { id: number } & ({ ok: true; findings: Finding[][] } | { ok: false; error: string });

const encoder = new TextEncoder();

/** The UTF-8 bytes of `json` as one whole ArrayBuffer (what the SDK takes as an input). */
function jsonBytes(json: string): ArrayBuffer {
  const bytes = encoder.encode(json);
  return (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

if (!isMainThread && (workerData as Setup | undefined)?.kind === "warden-eval" && parentPort) {
  const port = parentPort;
  const setup = workerData as Setup;
  const ready = loadBundleEvaluator({ wasm: setup.wasm, data: setup.data });
  ready.catch(() => {}); // reported with the first request
  // requests are answered in the order they came: each waits for the same `ready`
  port.on("message", async ({ id, inputs }: Request) => {
    let reply: Reply;
    try {
      const evaluator = await ready;
      // the SDK takes an input as JSON bytes as they are: no second parse here
      reply = { id, ok: true, findings: inputs.map((json) => evaluator.findings(jsonBytes(json) as unknown as JsonValue)) };
    } catch (err) {
      reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}

export interface EvalWorker {
  /**
   * Findings of each input (JSON documents), in order. Requests may overlap: a caller can
   * send documents as they are made and collect the answers later.
   */
  evaluate(inputs: JsonValue[]): Promise<Finding[][]>;
  close(): void;
}

/**
 * A worker thread evaluating with the given policy and data, or undefined where this file
 * cannot run as a worker (e.g. from TypeScript sources under a test runner).
 */
export function startEvalWorker(wasm: Uint8Array, data: JsonValue): EvalWorker | undefined {
  if (!import.meta.url.endsWith(".js")) return undefined;
  let worker: Worker;
  try {
    worker = new Worker(new URL(import.meta.url), { workerData: { kind: "warden-eval", wasm, data } satisfies Setup });
  } catch {
    return undefined;
  }
  worker.unref();
  let failed: Error | undefined;
  const pending = new Map<number, { resolve(f: Finding[][]): void; reject(e: Error): void }>();
  const fail = (err: Error) => {
    failed ??= err;
    for (const p of pending.values()) p.reject(failed);
    pending.clear();
    worker.unref();
  };
  worker.on("error", fail);
  worker.on("exit", () => fail(new Error("the evaluation worker stopped")));
  worker.on("message", (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.findings);
    else p.reject(new Error(reply.error));
    // only outstanding requests keep the process alive
    if (pending.size === 0) worker.unref();
  });
  let nextId = 0;
  return {
    evaluate(inputs) {
      if (failed) return Promise.reject(failed);
      const json = inputs.map((doc) => JSON.stringify(doc));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, inputs: json } satisfies Request);
      });
    },
    close() {
      void worker.terminate();
    },
  };
}
