/**
 * An alert when a sensor sent no reading for `silence` ms, in event time: per sensor, each
 * reading moves the sensor's event-time timer to its timestamp + silence; a timer that fires
 * means no reading came in that span, by the readings' own clock.
 *
 * Why event time: a reading's timestamp says when the sensor measured, so a gap in the data is
 * found the same way live and when a recording is replayed, and a slow or backed-up pipeline
 * raises no false alerts (with processing time, a delay anywhere upstream looks like a quiet
 * sensor). The cost: event time advances only with the watermark, i.e. with the other sensors'
 * readings; if every sensor falls silent, nothing advances and no alert fires until data flows
 * again (a processing-time check, as in session-timeout.ts, would catch that). At the end of a
 * bounded input the watermark goes to the maximum, so every sensor's last silence fires too.
 *
 * A reading inside the span deletes the pending timer; a reading after it leaves the timer to
 * fire (the silence happened, even if the watermark has not passed it yet), so the alerts depend
 * only on the readings, not on when watermarks happen to be emitted. Timestamps rise
 * (forMonotonousTimestamps).
 *
 *   strom run examples/sensor-silence.ts                       # the embedded readings, silence 10 s
 *   strom run examples/sensor-silence.ts -- --silence 5000
 *
 * `--collect true` sends the alerts to executeAndCollect() instead of printing them.
 */
import {
  defineJob,
  KeyedProcessFunction,
  Types,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessOnTimerContext,
  type ValueState,
} from '../src/index.js';

export interface Reading {
  sensor: string;
  value: number;
  /** Event time, epoch ms. */
  timestamp: number;
}

export const READING = Types.ROW({ sensor: Types.STRING, value: Types.DOUBLE, timestamp: Types.DOUBLE });

export const DEFAULT_SILENCE_MS = 10_000;

export class SilenceAlert extends KeyedProcessFunction<string, Reading, string> {
  /** The sensor's pending timer: its last reading's time + silence. */
  private pending!: ValueState<number>;

  constructor(private readonly silenceMs: number) {
    super();
  }

  override open(): void {
    this.pending = this.getRuntimeContext().getState(new ValueStateDescriptor('pending', Types.DOUBLE));
  }

  processElement(reading: Reading, ctx: KeyedProcessContext<string>, _out: Collector<string>): void {
    const timers = ctx.timerService();
    const pending = this.pending.value();
    // Within the span: the sensor was not silent. After it: the silence happened, let it fire.
    if (pending !== null && reading.timestamp < pending) timers.deleteEventTimeTimer(pending);
    const next = reading.timestamp + this.silenceMs;
    timers.registerEventTimeTimer(next);
    this.pending.update(next);
  }

  override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
    const since = new Date(timestamp - this.silenceMs).toISOString();
    out.collect(`${ctx.getCurrentKey()}: no reading for ${this.silenceMs / 1000} s since ${since}`);
    if (this.pending.value() === timestamp) this.pending.clear();
  }
}

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);

/**
 * The embedded readings: three sensors every 2 s for a minute; s2 is silent from 20 s to 42 s,
 * s3 stops at 30 s.
 */
export const DEFAULT_READINGS: readonly Reading[] = Array.from({ length: 30 }, (_, i) => i * 2_000).flatMap((t) =>
  ['s1', 's2', 's3']
    .filter((sensor) => !(sensor === 's2' && t > 20_000 && t < 42_000) && !(sensor === 's3' && t > 30_000))
    .map((sensor, n) => ({ sensor, value: 20 + ((t / 2_000 + n) % 5), timestamp: T0 + t })),
);

export default defineJob((env, params) => {
  const silenceMs = Number(params.silence ?? DEFAULT_SILENCE_MS);
  if (!(silenceMs > 0)) throw new RangeError(`--silence must be a positive number of milliseconds, got '${params.silence}'`);
  const alerts = env
    .fromCollection(DEFAULT_READINGS)
    .returns(READING)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r) => r.timestamp))
    .setParallelism(1) // one assigner keeps the readings in order up to the keyBy
    .keyBy('sensor')
    .process(new SilenceAlert(silenceMs))
    .name('Silence Alert');
  if (params.collect === 'true') alerts.collect();
  else alerts.print();
  return 'Sensor Silence';
});
