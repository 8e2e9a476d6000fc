/**
 * spinUntil / SpinBudget: the poll ends when `ready` or `stop` says so (checked every
 * POLLS_PER_CHECK polls), and the budget adapts: halved after a poll that found nothing, down to
 * SPIN_MIN_MS, doubled after one that found it, up to SPIN_MAX_MS. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLLS_PER_CHECK, SPIN_MAX_MS, SPIN_MIN_MS, SpinBudget, spinUntil } from '../../src/io/spin-until.js';

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
  assert.equal(budget.ms, SPIN_MAX_MS);
  const stopAtOnce = (): boolean => true; // each failed poll ends after one check interval
  const seen: number[] = [];
  for (let i = 0; i < 20; i++) {
    assert.equal(budget.spin(never, stopAtOnce), false);
    seen.push(budget.ms);
  }
  assert.equal(seen[0], SPIN_MAX_MS / 2);
  assert.equal(budget.ms, SPIN_MIN_MS);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! <= seen[i - 1]!);
  assert.equal(budget.spin(() => true, never), true);
  assert.equal(budget.ms, SPIN_MIN_MS * 2);
  for (let i = 0; i < 20; i++) budget.spin(() => true, never);
  assert.equal(budget.ms, SPIN_MAX_MS);
});
