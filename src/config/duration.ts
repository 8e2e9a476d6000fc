/**
 * Durations in Flink's `TimeUtils.parseDuration` text format, as milliseconds.
 *
 * Mirrors `flink-core/src/main/java/org/apache/flink/util/TimeUtils.java`: decimal digits,
 * optional whitespace, then an optional case-insensitive unit label. Without a unit the number is
 * milliseconds.
 *
 * | unit         | labels                                                    |
 * |--------------|-----------------------------------------------------------|
 * | days         | `d`, `day`, `days`                                        |
 * | hours        | `h`, `hour`, `hours`                                      |
 * | minutes      | `min`, `m`, `minute`, `minutes`                           |
 * | seconds      | `s`, `sec`, `secs`, `second`, `seconds`                   |
 * | milliseconds | `ms`, `milli`, `millis`, `millisecond`, `milliseconds`    |
 * | microseconds | `µs`, `us`, `micro`, `micros`, `microsecond`, `microseconds` |
 * | nanoseconds  | `ns`, `nano`, `nanos`, `nanosecond`, `nanoseconds`        |
 *
 * strom deviations, both deliberate:
 * - `us` is accepted as an ASCII spelling of `µs` (Flink only knows `µs`).
 * - A leading `-` is accepted (`-1`, `-1ms`), so options such as `execution.buffer-timeout` can
 *   take their documented `-1`. Each option's validator decides which negatives it allows; the
 *   parser only reads them.
 *
 * Results below one millisecond are kept as fractions (`1500us` -> `1.5`), not rounded.
 * Depends on nothing else in strom.
 */

const MS_PER: ReadonlyArray<{ name: string; labels: readonly string[]; ms: number }> = [
  { name: 'DAYS', labels: ['d', 'day', 'days'], ms: 86_400_000 },
  { name: 'HOURS', labels: ['h', 'hour', 'hours'], ms: 3_600_000 },
  { name: 'MINUTES', labels: ['min', 'm', 'minute', 'minutes'], ms: 60_000 },
  { name: 'SECONDS', labels: ['s', 'sec', 'secs', 'second', 'seconds'], ms: 1000 },
  { name: 'MILLISECONDS', labels: ['ms', 'milli', 'millis', 'millisecond', 'milliseconds'], ms: 1 },
  { name: 'MICROSECONDS', labels: ['µs', 'us', 'micro', 'micros', 'microsecond', 'microseconds'], ms: 1e-3 },
  { name: 'NANOSECONDS', labels: ['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], ms: 1e-6 },
];

const MS_BY_LABEL = new Map<string, number>(
  MS_PER.flatMap((u) => u.labels.map((label) => [label, u.ms] as [string, number])),
);
/** Divisor for the sub-millisecond units, so `1500us` gives exactly 1.5 rather than 1.5000000000000002. */
const DIVISOR_BY_LABEL = new Map<string, number>(
  MS_PER.filter((u) => u.ms < 1).flatMap((u) => u.labels.map((label) => [label, Math.round(1 / u.ms)] as [string, number])),
);

/** Human list of the accepted units, for error messages (Flink's wording). */
export const DURATION_UNITS_DESCRIPTION = MS_PER.map((u) => `${u.name}: (${u.labels.join(' | ')})`).join(', ');

/**
 * Parses a duration into milliseconds.
 *
 * @param value text such as `100ms`, `1 s`, `5min`, `250` (ms), `-1`, or a number of milliseconds.
 * @returns milliseconds; may be negative (see the module comment) or fractional.
 * @throws TypeError when the text is malformed or the unit is unknown.
 * @throws RangeError when a number is not finite or the digits exceed 2^53 - 1.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`a duration given as a number must be finite milliseconds, got ${value}`);
    return value;
  }
  if (typeof value !== 'string') {
    throw new TypeError(`a duration must be a string such as '100ms' or a number of milliseconds, got ${typeof value}`);
  }
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new TypeError('a duration must not be empty or whitespace only');
  const negative = trimmed.charCodeAt(0) === 45; /* '-' */
  const start = negative ? 1 : 0;
  let pos = start;
  while (pos < trimmed.length && trimmed.charCodeAt(pos) >= 48 && trimmed.charCodeAt(pos) <= 57) pos++;
  if (pos === start) {
    throw new TypeError(`duration '${value}' does not start with a number (expected e.g. '100ms', '1 s', '5min')`);
  }
  const amount = Number(trimmed.slice(start, pos));
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`duration '${value}' has more digits than a safe integer can hold`);
  }
  const unit = trimmed.slice(pos).trim().toLowerCase();
  let ms: number;
  if (unit.length === 0) {
    ms = amount;
  } else {
    const divisor = DIVISOR_BY_LABEL.get(unit);
    if (divisor !== undefined) {
      ms = amount / divisor;
    } else {
      const factor = MS_BY_LABEL.get(unit);
      if (factor === undefined) {
        throw new TypeError(
          `time interval unit label '${unit}' does not match any of the recognized units: ${DURATION_UNITS_DESCRIPTION}`,
        );
      }
      ms = amount * factor;
    }
  }
  if (!Number.isFinite(ms)) throw new RangeError(`duration '${value}' is too large`);
  return negative ? 0 - ms : ms; // 0 - ms keeps "-0" from becoming -0
}

/**
 * Formats milliseconds with the largest unit that represents them exactly: `100` -> `100ms`,
 * `1000` -> `1s`, `90000` -> `90s`, `0.5` -> `500us`, `-1` -> `-1ms`. Parses back with
 * {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format ${ms} as a duration`);
  if (ms === 0) return '0ms';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const whole: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1]];
  for (const [label, factor] of whole) {
    if (abs % factor === 0) return `${sign}${abs / factor}${label}`;
  }
  const us = abs * 1000;
  if (Math.abs(us - Math.round(us)) < 1e-6) return `${sign}${Math.round(us)}us`;
  return `${sign}${Math.round(abs * 1e6)}ns`;
}
