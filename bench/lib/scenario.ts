/**
 * What a thread scenario module in `bench/scenarios/` exports, and the context its two roles
 * get inside their worker threads.
 *
 * A scenario module exports:
 * - `setup(params)`: runs on the main thread before each repetition; allocates the shared
 *   memory (or message ports) the two workers communicate through.
 * - `producer(ctx)` and `consumer(ctx)`: run in two fresh worker threads. Each prepares what it
 *   needs, calls `ctx.start()` (a barrier: both return together, and the consumer's clock
 *   starts there), moves the fixed amount of work, and returns a RoleResult.
 *
 * The runner then checks that the consumer received exactly what the producer sent (count,
 * bytes and checksum all equal, count equal to the expected work), so a broken or short run
 * reports an error instead of a rate.
 */

import type { TransferListItem } from 'node:worker_threads';

/** Control words shared by the runner and both workers of one repetition (an Int32Array). */
export const CTRL_ARRIVED = 0;
/** Set to 1 by whichever side fails (or by the runner on timeout); waiters give up. */
export const CTRL_ABORTED = 1;
export const CTRL_WORDS = 4;

/** Roles of a thread scenario. */
export type Role = 'producer' | 'consumer';

/** What the main thread hands to the two workers of one repetition. */
export interface ScenarioSetup {
  /** Sent to both workers (structured clone; SharedArrayBuffers are shared, not copied). */
  shared: unknown;
  /** Per-role data, e.g. a MessagePort; moved with `transfer`. */
  producer?: unknown;
  consumer?: unknown;
  transfer?: { producer?: TransferListItem[]; consumer?: TransferListItem[] };
  /** Called on the main thread if the repetition fails or times out (e.g. cancel a channel group). */
  abort?: () => void;
}

/** What each role reports; both sides must agree for the run to count. */
export interface RoleResult {
  /** Records (or segments) sent / received. */
  count: number;
  /** Payload bytes sent / received. */
  bytes: number;
  /** An order-independent or order-dependent sum both sides compute the same way. */
  checksum: number;
  /** Facts worth keeping in the JSON (e.g. waited time). */
  details?: Record<string, unknown>;
}

/** Handed to `producer(ctx)` / `consumer(ctx)` in their worker thread. */
export interface RoleContext<P = unknown, S = unknown, D = unknown> {
  role: Role;
  params: P;
  shared: S;
  /** This role's own data from `setup` (e.g. its MessagePort). */
  own: D;
  /** Barrier: returns once both roles called it; the measured interval starts here. */
  start(): void;
  /** True once the other side failed or the runner gave up; long wait loops should check it. */
  aborted(): boolean;
}

/** Thrown inside a role when the other side aborted, so it stops instead of waiting forever. */
export class AbortedError extends Error {
  constructor() {
    super('the other side of the scenario aborted');
    this.name = 'AbortedError';
  }
}
