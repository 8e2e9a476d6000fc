/**
 * Worker entry of a thread scenario: imports the scenario module, runs one role, and posts
 * back either `{ ok: true, result, elapsedMs }` or `{ ok: false, error }`.
 *
 * The elapsed time runs from the barrier (`ctx.start()`) to the role's return, measured in
 * this thread with `performance.now()`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { AbortedError, CTRL_ABORTED, CTRL_ARRIVED, type RoleContext, type RoleResult } from './scenario.js';

/** What the runner sends in `workerData`. */
export interface ScenarioWorkerData {
  moduleUrl: string;
  role: 'producer' | 'consumer';
  params: unknown;
  shared: unknown;
  own: unknown;
  ctrl: SharedArrayBuffer;
}

/** What this worker posts back once. */
export type ScenarioWorkerMessage =
  | { ok: true; result: RoleResult; elapsedMs: number }
  | { ok: false; error: string };

/** Barrier wait slice: long enough to cost nothing, short enough to notice an abort. */
const BARRIER_SLICE_MS = 100;

async function main(): Promise<void> {
  const data = workerData as ScenarioWorkerData;
  const ctrl = new Int32Array(data.ctrl);
  let startedAt = -1;
  const aborted = (): boolean => Atomics.load(ctrl, CTRL_ABORTED) !== 0;
  const ctx: RoleContext = {
    role: data.role,
    params: data.params,
    shared: data.shared,
    own: data.own,
    aborted,
    start() {
      if (startedAt >= 0) throw new Error('ctx.start() called twice');
      const arrived = Atomics.add(ctrl, CTRL_ARRIVED, 1) + 1;
      if (arrived >= 2) {
        Atomics.notify(ctrl, CTRL_ARRIVED);
      } else {
        // Sleep until the peer arrives; re-check the abort word between slices.
        for (let seen = arrived; seen < 2; seen = Atomics.load(ctrl, CTRL_ARRIVED)) {
          if (aborted()) throw new AbortedError();
          Atomics.wait(ctrl, CTRL_ARRIVED, seen, BARRIER_SLICE_MS);
        }
      }
      startedAt = performance.now();
    },
  };
  try {
    const mod = (await import(data.moduleUrl)) as Record<string, (c: RoleContext) => RoleResult | Promise<RoleResult>>;
    const fn = mod[data.role];
    if (typeof fn !== 'function') throw new Error(`${data.moduleUrl} does not export ${data.role}()`);
    const result = await fn(ctx);
    const elapsedMs = performance.now() - startedAt;
    if (startedAt < 0) throw new Error(`${data.role}() returned without calling ctx.start()`);
    parentPort!.postMessage({ ok: true, result, elapsedMs } satisfies ScenarioWorkerMessage);
  } catch (err) {
    // Wake the peer if it waits at the barrier; its own loops check aborted().
    Atomics.store(ctrl, CTRL_ABORTED, 1);
    Atomics.notify(ctrl, CTRL_ARRIVED);
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    parentPort!.postMessage({ ok: false, error: `${data.role}: ${error}` } satisfies ScenarioWorkerMessage);
  }
}

await main();
