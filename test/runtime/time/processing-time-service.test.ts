import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualProcessingTimeService, TaskProcessingTimeService } from '../../../src/runtime/time/processing-time-service.js';
import { prng } from '../../support/prng.js';

test('timers fire in timestamp order, ties in registration order, only once due', () => {
  const service = new ManualProcessingTimeService(0);
  const fired: string[] = [];
  service.registerTimer(30, (t) => fired.push(`c@${t}`));
  service.registerTimer(10, (t) => fired.push(`a@${t}`));
  service.registerTimer(10, (t) => fired.push(`b@${t}`));
  assert.equal(service.setCurrentTime(9), 0);
  assert.deepEqual(fired, []);
  assert.equal(service.nextTimerAt(), 10);
  assert.equal(service.setCurrentTime(29), 2);
  assert.deepEqual(fired, ['a@10', 'b@10']);
  assert.equal(service.setCurrentTime(100), 1);
  assert.deepEqual(fired, ['a@10', 'b@10', 'c@30']);
  assert.equal(service.nextTimerAt(), Number.POSITIVE_INFINITY);
});

test('a timer registered in the past fires at the next chance with its own timestamp; a callback may register due timers', () => {
  const service = new ManualProcessingTimeService(50);
  const fired: number[] = [];
  service.registerTimer(20, (t) => {
    fired.push(t);
    service.registerTimer(40, (u) => fired.push(u));
  });
  assert.equal(service.fireDue(), 2);
  assert.deepEqual(fired, [20, 40]);
});

test('cancelled timers never fire; quiesce drops pending timers and later registrations', () => {
  const service = new ManualProcessingTimeService(0);
  const fired: number[] = [];
  const cancelled = service.registerTimer(5, (t) => fired.push(t));
  service.registerTimer(6, (t) => fired.push(t));
  cancelled.cancel();
  assert.equal(service.nextTimerAt(), 6);
  service.quiesce();
  service.registerTimer(7, (t) => fired.push(t));
  assert.equal(service.setCurrentTime(10), 0);
  assert.deepEqual(fired, []);
});

test('the clock never goes back; the default clock is Date.now', () => {
  const service = new ManualProcessingTimeService(10);
  assert.throws(() => service.setCurrentTime(9), /cannot go back from 10 to 9/);
  const real = new TaskProcessingTimeService();
  const now = Date.now();
  assert.ok(Math.abs(real.getCurrentProcessingTime() - now) < 1000);
});

test('random timers fire exactly once each, sorted by (timestamp, registration)', () => {
  const random = prng(7);
  const service = new ManualProcessingTimeService(0);
  const fired: Array<[number, number]> = [];
  const expected: Array<[number, number]> = [];
  for (let i = 0; i < 2000; i++) {
    const t = Math.floor(random() * 500);
    const timer = service.registerTimer(t, (ts) => fired.push([ts, i]));
    if (random() < 0.2) timer.cancel();
    else expected.push([t, i]);
  }
  for (let now = 0; now < 500; now += 37) service.setCurrentTime(now);
  service.setCurrentTime(500);
  expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(fired, expected);
});
