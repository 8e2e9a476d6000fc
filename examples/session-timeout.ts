/**
 * A per-user session timeout with processing-time timers: each user's events extend the user's
 * session; when a user sent nothing for `gap` ms (by the wall clock of the operator), the
 * session ends and its summary is emitted: `user: N events (page, page, ...)`.
 *
 * Per event the function moves the user's one processing-time timer to now + gap (delete the old
 * one, register the new one) and appends the page to a ListState; the timer emits and clears it.
 * Processing time suits a timeout that is about "now": a live feed where a session ends because
 * the user went away, not because of when the events say they happened.
 *
 *   strom run examples/session-timeout.ts                  # the embedded, paced clicks; gap 250 ms
 *   strom run examples/session-timeout.ts -- --gap 1000
 *
 * The embedded input is paced: each user's clicks come in a burst, bursts are 4 gaps apart, and
 * the source waits 4 gaps more before it ends (a bounded input drops processing-time timers not
 * yet due at its end, as Flink does). `--collect true` sends the summaries to executeAndCollect().
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  defineJob,
  KeyedProcessFunction,
  ListStateDescriptor,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessOnTimerContext,
  type ListState,
  type ValueState,
} from '../src/index.js';

export interface Click {
  user: string;
  page: string;
}

export const DEFAULT_GAP_MS = 250;

export class SessionTimeout extends KeyedProcessFunction<string, Click, string> {
  private pages!: ListState<string>;
  /** When the user's session times out (the pending processing-time timer). */
  private timeout!: ValueState<number>;

  constructor(private readonly gapMs: number) {
    super();
  }

  override open(): void {
    this.pages = this.getRuntimeContext().getListState(new ListStateDescriptor('pages', Types.STRING));
    this.timeout = this.getRuntimeContext().getState(new ValueStateDescriptor('timeout', Types.DOUBLE));
  }

  processElement(click: Click, ctx: KeyedProcessContext<string>, _out: Collector<string>): void {
    const timers = ctx.timerService();
    const previous = this.timeout.value();
    if (previous !== null) timers.deleteProcessingTimeTimer(previous);
    const timeout = timers.currentProcessingTime() + this.gapMs;
    timers.registerProcessingTimeTimer(timeout);
    this.timeout.update(timeout);
    this.pages.add(click.page);
  }

  override onTimer(_timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
    const pages = [...(this.pages.get() ?? [])];
    out.collect(`${ctx.getCurrentKey()}: ${pages.length} event${pages.length === 1 ? '' : 's'} (${pages.join(', ')})`);
    this.pages.clear();
    this.timeout.clear();
  }
}

/** The embedded clicks, in bursts: a user's clicks in one burst belong to one session. */
export const DEFAULT_BURSTS: readonly (readonly Click[])[] = [
  [
    { user: 'ann', page: 'home' },
    { user: 'bob', page: 'home' },
    { user: 'ann', page: 'search' },
    { user: 'ann', page: 'cart' },
  ],
  [
    { user: 'bob', page: 'docs' },
    { user: 'cid', page: 'home' },
  ],
  [
    { user: 'ann', page: 'home' },
    { user: 'bob', page: 'pricing' },
    { user: 'bob', page: 'signup' },
  ],
];

/** The summaries the embedded input gives; per user in this order (users whose sessions end together may interleave). */
export const DEFAULT_SESSIONS: readonly string[] = [
  'ann: 3 events (home, search, cart)',
  'bob: 1 event (home)',
  'bob: 1 event (docs)',
  'cid: 1 event (home)',
  'ann: 1 event (home)',
  'bob: 2 events (pricing, signup)',
];

export default defineJob((env, params) => {
  const gapMs = Number(params.gap ?? DEFAULT_GAP_MS);
  if (!(gapMs > 0)) throw new RangeError(`--gap must be a positive number of milliseconds, got '${params.gap}'`);
  const clicks = env.fromSource(
    async function* pacedClicks() {
      for (const burst of DEFAULT_BURSTS) {
        yield* burst;
        await sleep(4 * gapMs);
      }
      await sleep(4 * gapMs);
    },
    'Clicks',
  );
  const sessions = clicks
    .setParallelism(1)
    .keyBy((click: Click) => click.user)
    .process(new SessionTimeout(gapMs))
    .name('Session Timeout');
  if (params.collect === 'true') sessions.collect();
  else sessions.print();
  return 'Session Timeout';
});
