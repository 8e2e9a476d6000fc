/**
 * Memory sizes in Flink's `MemorySize` text format.
 *
 * Mirrors `flink-core/src/main/java/org/apache/flink/configuration/MemorySize.java`: a run of
 * decimal digits, optional whitespace, then an optional case-insensitive unit. Without a unit the
 * number is bytes. All multiples are binary (1 kb = 1024 bytes):
 *
 * | unit                     | multiplier |
 * |--------------------------|------------|
 * | `b`, `bytes`             | 1          |
 * | `k`, `kb`, `kibibytes`   | 2^10       |
 * | `m`, `mb`, `mebibytes`   | 2^20       |
 * | `g`, `gb`, `gibibytes`   | 2^30       |
 * | `t`, `tb`, `tebibytes`   | 2^40       |
 *
 * strom deviation: the result must be a safe JavaScript integer (< 2^53 bytes, 8 PiB) instead of
 * a Java `long`. Signs and fractions are rejected, as in Flink.
 *
 * Depends on nothing else in strom.
 */

/** Unit labels and their multipliers, in ascending order (the first label is the short form). */
const UNITS: ReadonlyArray<{ labels: readonly string[]; multiplier: number }> = [
  { labels: ['b', 'bytes'], multiplier: 1 },
  { labels: ['k', 'kb', 'kibibytes'], multiplier: 2 ** 10 },
  { labels: ['m', 'mb', 'mebibytes'], multiplier: 2 ** 20 },
  { labels: ['g', 'gb', 'gibibytes'], multiplier: 2 ** 30 },
  { labels: ['t', 'tb', 'tebibytes'], multiplier: 2 ** 40 },
];

const MULTIPLIER_BY_LABEL = new Map<string, number>(
  UNITS.flatMap((u) => u.labels.map((label) => [label, u.multiplier] as [string, number])),
);

/** Human list of the accepted units, for error messages. */
export const MEMORY_UNITS_DESCRIPTION = UNITS.map((u) => `(${u.labels.join(' | ')})`).join(' / ');

/**
 * Parses a memory size into bytes.
 *
 * @param value text such as `32kb`, `64 mb`, `1g`, `4096` (bytes), or a number of bytes.
 * @returns the size in bytes, a non-negative safe integer.
 * @throws TypeError when the text is malformed or the unit is unknown.
 * @throws RangeError when a number is negative, fractional, or the size exceeds 2^53 - 1 bytes.
 */
export function parseMemorySize(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`a memory size given as a number must be a non-negative integer number of bytes, got ${value}`);
    }
    return value;
  }
  if (typeof value !== 'string') {
    throw new TypeError(`a memory size must be a string such as '32kb' or a number of bytes, got ${typeof value}`);
  }
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new TypeError('a memory size must not be empty or whitespace only');
  let pos = 0;
  while (pos < trimmed.length && trimmed.charCodeAt(pos) >= 48 && trimmed.charCodeAt(pos) <= 57) pos++;
  if (pos === 0) {
    throw new TypeError(`memory size '${value}' does not start with a number (expected e.g. '32kb', '64 mb', '1g')`);
  }
  const digits = trimmed.slice(0, pos);
  const unit = trimmed.slice(pos).trim().toLowerCase();
  const amount = Number(digits);
  let multiplier = 1;
  if (unit.length > 0) {
    const found = MULTIPLIER_BY_LABEL.get(unit);
    if (found === undefined) {
      throw new TypeError(
        `memory size unit '${unit}' does not match any of the recognized units: ${MEMORY_UNITS_DESCRIPTION}`,
      );
    }
    multiplier = found;
  }
  const bytes = amount * multiplier;
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(bytes)) {
    throw new RangeError(`memory size '${value}' exceeds the largest supported size of ${Number.MAX_SAFE_INTEGER} bytes`);
  }
  return bytes;
}

/**
 * Formats bytes with the largest unit that divides them exactly, in the short form strom's
 * parser reads back: `32768` -> `32kb`, `67108864` -> `64mb`, `100` -> `100b`, `0` -> `0b`.
 */
export function formatMemorySize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`cannot format ${bytes} as a memory size: expected a non-negative integer number of bytes`);
  }
  const suffixes = ['b', 'kb', 'mb', 'gb', 'tb'];
  let unit = 0;
  if (bytes !== 0) {
    while (unit + 1 < UNITS.length && bytes % UNITS[unit + 1]!.multiplier === 0) unit++;
  }
  return `${bytes / UNITS[unit]!.multiplier}${suffixes[unit]}`;
}
