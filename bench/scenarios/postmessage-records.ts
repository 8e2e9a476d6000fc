/**
 * Baseline: small records between two workers with `MessagePort.postMessage`, one message per
 * record (what a naive worker pipeline does). The producer posts `[key, value]` arrays as fast
 * as it can; the consumer's 'message' handler checks and counts them. Node queues messages
 * without limit, so there is no flow control to slow the producer down.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { checksumStep, expectedChecksum, makeRecord, PAYLOAD_BYTES } from '../lib/records.js';
import type { RoleContext, RoleResult, ScenarioSetup } from '../lib/scenario.js';

export interface Params {
  records: number;
}

export function setup(_params: Params): ScenarioSetup {
  const { port1, port2 } = new MessageChannel();
  return { shared: null, producer: port1, consumer: port2, transfer: { producer: [port1], consumer: [port2] } };
}

export function producer(ctx: RoleContext<Params, null, MessagePort>): RoleResult {
  const port = ctx.own;
  const n = ctx.params.records;
  ctx.start();
  for (let i = 0; i < n; i++) port.postMessage(makeRecord(i));
  return { count: n, bytes: n * PAYLOAD_BYTES, checksum: expectedChecksum(n) };
}

export function consumer(ctx: RoleContext<Params, null, MessagePort>): Promise<RoleResult> {
  const port = ctx.own;
  const n = ctx.params.records;
  let count = 0;
  let checksum = 0;
  const done = new Promise<RoleResult>((resolve) => {
    port.on('message', (record: [string, number]) => {
      checksum = checksumStep(checksum, count, record[0], record[1]);
      if (++count === n) {
        port.close();
        resolve({ count, bytes: count * PAYLOAD_BYTES, checksum });
      }
    });
  });
  // Messages that arrive while we wait at the barrier queue up and are delivered afterwards.
  ctx.start();
  return done;
}
