/**
 * ChannelGroup.waitForData: the consumer polls before it sleeps, and while it polls it is not
 * counted in GATE_WAITING (producers do not notify); a cancellation ends the poll. One thread:
 * `hasData` plays the producer, deterministically (no timing is asserted).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelGroup } from '../../src/io/channel-group.js';
import { POLLS_PER_CHECK } from '../../src/io/spin-until.js';
import { GATE_WAITING } from '../../src/io/channel-layout.js';

/** Far longer than the test may run: a wait that is not cut short fails the test instead of passing late. */
const NEVER_MS = 600_000;

test('data found while polling: true; the first check interval polls without counting in GATE_WAITING', () => {
  const group = ChannelGroup.create(1, 4);
  const waiting: number[] = [];
  // Data "arrives" on the 100th poll, or at the re-check after the consumer counted itself (a
  // slow machine may spend the spin budget first; the test must not sleep then).
  const ok = group.waitForData(() => {
    const w = Atomics.load(group.words, GATE_WAITING);
    waiting.push(w);
    return waiting.length === 100 || w !== 0;
  }, NEVER_MS);
  assert.equal(ok, true);
  const counted = waiting.findIndex((w) => w !== 0);
  assert.ok(counted === -1 || counted >= POLLS_PER_CHECK, `counted in GATE_WAITING at poll ${counted}`);
  assert.ok(counted === -1 || counted === waiting.length - 1, 'polled on after counting in GATE_WAITING');
  assert.equal(Atomics.load(group.words, GATE_WAITING), 0);
});

test('a cancellation while polling ends the poll: false, within one check interval', () => {
  const group = ChannelGroup.create(2, 4);
  let calls = 0;
  const ok = group.waitForData(() => {
    if (++calls === 10) group.cancel();
    return false;
  }, NEVER_MS);
  assert.equal(ok, false);
  assert.ok(calls <= 10 + POLLS_PER_CHECK, `polled ${calls} times after the cancellation`);
  assert.equal(Atomics.load(group.words, GATE_WAITING), 0);
});

test('a cancelled group returns false at once, also on later waits', () => {
  const group = ChannelGroup.create(1, 4);
  group.cancel();
  for (let i = 0; i < 3; i++) {
    let calls = 0;
    assert.equal(
      group.waitForData(() => {
        calls++;
        return false;
      }, NEVER_MS),
      false,
    );
    assert.ok(calls <= POLLS_PER_CHECK + 1, `polled ${calls} times`);
  }
});

test('no data while polling: sleeps counted in GATE_WAITING and wakes on the timeout', () => {
  const group = ChannelGroup.create(1, 4);
  let sawWaiting = false;
  const ok = group.waitForData(() => {
    if (Atomics.load(group.words, GATE_WAITING) !== 0) sawWaiting = true;
    return false;
  }, 1);
  assert.equal(ok, true);
  assert.equal(sawWaiting, true, 'the re-check after counting in GATE_WAITING ran');
  assert.equal(Atomics.load(group.words, GATE_WAITING), 0);
});
