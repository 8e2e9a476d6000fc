/** Number formatting for the human table. */
import type { RateUnit } from './types.js';

const SI = ['', 'k', 'M', 'G', 'T'];

/** `12.3 M records/s`, `4.56 GB/s`. */
export function formatRate(rate: number | null, unit: RateUnit): string {
  if (rate === null || !Number.isFinite(rate)) return '-';
  let x = rate;
  let i = 0;
  while (x >= 1000 && i < SI.length - 1) {
    x /= 1000;
    i++;
  }
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  const u = unit === 'bytes/s' ? `${SI[i]}B/s` : `${SI[i]} ${unit}`.trimStart();
  return `${x.toFixed(digits)} ${u}`;
}

/** `27.4x` or `0.41x`. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '-';
  return ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(2)}x`;
}

/** Renders rows as a left-aligned text table with a header rule. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
