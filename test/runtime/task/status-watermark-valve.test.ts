import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WATERMARK } from '../../../src/runtime/operators/stream-operator.js';
import { WatermarkStatus } from '../../../src/runtime/operators/watermark-status.js';
import { StatusWatermarkValve } from '../../../src/runtime/task/status-watermark-valve.js';

/** A valve over `channels` channels and what it emitted, as 'wm:N' / 'IDLE' / 'ACTIVE'. */
function valveOf(channels: number) {
  const out: string[] = [];
  const valve = new StatusWatermarkValve(channels, {
    emitWatermark: (w) => out.push(`wm:${w}`),
    emitWatermarkStatus: (s) => out.push(s === WatermarkStatus.IDLE ? 'IDLE' : 'ACTIVE'),
  });
  return { valve, out };
}

test('the input watermark is the minimum over the channels, emitted only when it rises', () => {
  const { valve, out } = valveOf(3);
  valve.inputWatermark(10, 0);
  valve.inputWatermark(20, 1);
  assert.deepEqual(out, [], 'channel 2 has no watermark yet: it holds the minimum at MIN_WATERMARK');
  valve.inputWatermark(5, 2);
  assert.deepEqual(out, ['wm:5']);
  valve.inputWatermark(15, 2);
  assert.deepEqual(out, ['wm:5', 'wm:10']);
  valve.inputWatermark(30, 0);
  assert.deepEqual(out, ['wm:5', 'wm:10', 'wm:15']);
  assert.equal(valve.lastOutputWatermark, 15);
});

test('a channel watermark that goes backwards is ignored', () => {
  const { valve, out } = valveOf(2);
  valve.inputWatermark(10, 0);
  valve.inputWatermark(10, 1);
  valve.inputWatermark(3, 0);
  valve.inputWatermark(12, 1);
  assert.deepEqual(out, ['wm:10'], 'channel 0 stays at 10, so the minimum stays at 10');
  valve.inputWatermark(11, 0);
  assert.deepEqual(out, ['wm:10', 'wm:11']);
});

test('an idle channel does not hold the watermark back; all idle makes the input idle, flushing the maximum', () => {
  const { valve, out } = valveOf(3);
  valve.inputWatermark(10, 0);
  valve.inputWatermark(50, 1);
  valve.inputWatermark(70, 2);
  assert.deepEqual(out, ['wm:10']);
  valve.inputWatermarkStatus(WatermarkStatus.IDLE, 0);
  assert.deepEqual(out, ['wm:10', 'wm:50'], 'channel 0 held the minimum; without it the minimum is 50');
  valve.inputWatermarkStatus(WatermarkStatus.IDLE, 1);
  assert.deepEqual(out, ['wm:10', 'wm:50', 'wm:70']);
  valve.inputWatermarkStatus(WatermarkStatus.IDLE, 2);
  assert.deepEqual(out, ['wm:10', 'wm:50', 'wm:70', 'IDLE']);
  valve.inputWatermark(100, 2);
  assert.deepEqual(out.at(-1), 'IDLE', 'an idle input ignores watermarks');
  valve.inputWatermarkStatus(WatermarkStatus.ACTIVE, 2);
  assert.deepEqual(out.at(-1), 'ACTIVE');
});

test('the last channel going idle flushes the maximum watermark over all channels', () => {
  const { valve, out } = valveOf(2);
  valve.inputWatermark(40, 0);
  valve.inputWatermarkStatus(WatermarkStatus.IDLE, 0);
  valve.inputWatermark(20, 1);
  assert.deepEqual(out, ['wm:20']);
  valve.inputWatermarkStatus(WatermarkStatus.IDLE, 1);
  assert.deepEqual(out, ['wm:20', 'wm:40', 'IDLE']);
});

test('a channel that turns active again behind the watermark does not move it backwards until it caught up', () => {
  const { valve, out } = valveOf(2);
  valve.inputWatermark(5, 0);
  valve.inputWatermarkStatus(WatermarkStatus.IDLE, 0);
  valve.inputWatermark(100, 1);
  assert.deepEqual(out, ['wm:100']);
  valve.inputWatermarkStatus(WatermarkStatus.ACTIVE, 0);
  valve.inputWatermark(50, 0);
  valve.inputWatermark(120, 1);
  assert.deepEqual(out, ['wm:100', 'wm:120'], 'channel 0 at 50 is not aligned: it does not hold the watermark');
  valve.inputWatermark(110, 0);
  valve.inputWatermark(121, 1);
  assert.deepEqual(out, ['wm:100', 'wm:120', 'wm:121'], 'channel 0 at 110 is still behind the last output (120)');
  valve.inputWatermark(125, 0);
  valve.inputWatermark(130, 1);
  assert.deepEqual(out, ['wm:100', 'wm:120', 'wm:121', 'wm:125'], 'channel 0 caught up (125 >= 121): it holds the minimum again');
  valve.inputWatermark(140, 0);
  assert.deepEqual(out, ['wm:100', 'wm:120', 'wm:121', 'wm:125', 'wm:130']);
});

test('MAX_WATERMARK on every channel (an ended input) emits the maximum watermark once', () => {
  const { valve, out } = valveOf(2);
  valve.inputWatermark(7, 0);
  valve.inputWatermark(MAX_WATERMARK, 1);
  valve.inputWatermark(MAX_WATERMARK, 0);
  valve.inputWatermark(MAX_WATERMARK, 0);
  assert.deepEqual(out, ['wm:7', 'wm:Infinity']);
});

test('a valve needs a channel', () => {
  assert.throws(() => valveOf(0), /at least one channel/);
});
