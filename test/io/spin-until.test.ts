/**
 * spinUntil / SpinBudget: the poll ends when `ready` or `stop` says so (checked every
 * POLLS_PER_CHECK polls), and the budget adapts: halved after a poll that found nothing, down to
 * SPIN_MIN_MS, doubled after one that found it, up to SPIN_MAX_MS, raised by a short wait and
 * bounded by the work since the last wait (a fake clock). No timing is asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  POLLS_PER_CHECK,
  SPIN_BASE_MS,
  SPIN_MAX_MS,
  SPIN_MIN_MS,
  SPIN_WORK_FACTOR,
  RAISE_COOLDOWN,
  SpinBudget,
  spinUntil,
} from '../../src/io/spin-until.js';

const never = (): boolean => false;

test('spinUntil returns true at the poll that finds ready', () => {
  let calls = 0;
  assert.equal(spinUntil(() => ++calls === 7, 1e9, never), true);
  assert.equal(calls, 7);
});

test('spinUntil checks stop after each POLLS_PER_CHECK polls, even with budget left', () => {
  let calls = 0;
  assert.equal(
    spinUntil(
      () => {
        calls++;
        return false;
      },
      1e9,
      () => calls >= 2 * POLLS_PER_CHECK,
    ),
    false,
  );
  assert.equal(calls, 2 * POLLS_PER_CHECK);
});

test('SpinBudget halves after polls that found nothing, down to SPIN_MIN_MS, and doubles after one that found it', () => {
  const budget = new SpinBudget();
  assert.equal(budget.ms, SPIN_BASE_MS);
  const stopAtOnce = (): boolean => true; // each failed poll ends after one check interval
  const seen: number[] = [];
  for (let i = 0; i < 20; i++) {
    assert.equal(budget.spin(never, stopAtOnce), false);
    seen.push(budget.ms);
  }
  assert.equal(seen[0], SPIN_BASE_MS / 2);
  assert.equal(budget.ms, SPIN_MIN_MS);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! <= seen[i - 1]!);
  assert.equal(budget.spin(() => true, never), true);
  assert.equal(budget.ms, SPIN_MIN_MS * 2);
  for (let i = 0; i < 20; i++) budget.spin(() => true, never);
  assert.equal(budget.ms, SPIN_MAX_MS);
});

/** A SpinBudget on a clock the test sets (ms); its polls end at the first check (`stop`). */
function fakeClock(): { budget: SpinBudget; at(ms: number): void } {
  let now = 0;
  return { budget: new SpinBudget(() => now), at: (ms) => void (now = ms) };
}
const stopAtOnce = (): boolean => true;

test('SpinBudget: a wait that ended soon after the poll raises the budget to cover it; a long one does not', () => {
  const { budget, at } = fakeClock();
  // Times are binary fractions, so the arithmetic is exact.
  at(8); // worked 8 ms: the work bound allows the whole budget
  assert.equal(budget.spin(never, stopAtOnce), false);
  at(8.25); // the producer published 0.25 ms after the poll started
  budget.woke();
  assert.equal(budget.ms, 0.25 * 1.5);
  at(16);
  assert.equal(budget.limit(), 0.375);
  assert.equal(budget.spin(() => true, never), true);
  assert.equal(budget.ms, SPIN_MAX_MS);
  at(32);
  assert.equal(budget.spin(never, stopAtOnce), false);
  assert.equal(budget.ms, SPIN_MAX_MS / 2);
  at(82); // slept until a 50 ms timeout: idle input, not a gap in a stream
  budget.woke();
  assert.equal(budget.ms, SPIN_MAX_MS / 2);
  // Never above SPIN_MAX_MS, however short the waits.
  at(128);
  budget.spin(never, stopAtOnce);
  at(128 + SPIN_MAX_MS);
  budget.woke();
  assert.equal(budget.ms, SPIN_MAX_MS);
});

test('SpinBudget: no raise for RAISE_COOLDOWN waits after a raised budget found nothing, or until a poll finds something', () => {
  const { budget, at } = fakeClock();
  let t = 8;
  /** One wait at `t` whose poll finds nothing and that ends 0.25 ms after it started. */
  const shortWait = (): void => {
    at(t);
    assert.equal(budget.spin(never, stopAtOnce), false);
    at(t + 0.25);
    budget.woke();
    t += 8;
  };
  shortWait();
  assert.equal(budget.ms, 0.375); // raised
  shortWait(); // the raised budget found nothing: the cooldown starts, and this wait does not raise
  assert.equal(budget.ms, 0.1875);
  for (let i = 1; i < RAISE_COOLDOWN; i++) shortWait();
  assert.ok(budget.ms < 0.375);
  shortWait(); // the cooldown is over
  assert.equal(budget.ms, 0.375);
  shortWait(); // found nothing again: cooldown
  assert.equal(budget.ms, 0.1875);
  at(t);
  assert.equal(budget.spin(() => true, never), true); // the other thread runs: the cooldown ends
  assert.equal(budget.ms, 0.375);
  t += 8;
  shortWait(); // not raised by the last woke(): no new cooldown, and it raises
  assert.equal(budget.ms, 0.375);
});

test('SpinBudget: a poll lasts at most SPIN_WORK_FACTOR times the work since the last wait, or SPIN_BASE_MS', () => {
  const { budget, at } = fakeClock();
  for (let t = 1; t <= 10; t++) {
    at(t);
    budget.spin(() => true, never);
  }
  assert.equal(budget.ms, SPIN_MAX_MS);
  at(10 + 1 / 1024); // the last wait ended at 10: 1 µs of work
  assert.equal(budget.limit(), SPIN_BASE_MS);
  at(10.125);
  assert.equal(budget.limit(), SPIN_WORK_FACTOR * 0.125);
  at(11);
  assert.equal(budget.limit(), SPIN_MAX_MS);
  // A wait that ended in woke() counts as the last wait too.
  budget.spin(never, stopAtOnce);
  at(12);
  budget.woke();
  at(12 + 1 / 1024);
  assert.equal(budget.limit(), SPIN_BASE_MS);
});
