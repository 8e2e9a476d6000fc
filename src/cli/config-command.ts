/**
 * `strom config`: the effective configuration, every known key with its value and where the
 * value came from (`default`, a file path and line, `STROM_PROPERTIES:line`, `-D`,
 * `--parallelism`, `code`), as an aligned table or as JSON. An unset option without a fixed
 * default shows its documented meaning in the table (`taskmanager.numberOfTaskSlots`: sized to
 * the job) and `null` in JSON.
 */
import { ALL_CONFIG_OPTIONS, findConfigOption } from '../config/config-options.js';
import type { Configuration } from '../config/configuration.js';

/** One row of `strom config --json`. */
export interface EffectiveOption {
  /** The value in the option's text format (`32kb`, `100ms`, `BATCH`); null when unset and without default. */
  value: string | null;
  /** `default`, or the source that set it. */
  origin: string;
}

/** Every known key of `config` with its value and origin, keys sorted. */
export function effectiveConfiguration(config: Configuration): Record<string, EffectiveOption> {
  const out: Record<string, EffectiveOption> = {};
  const options = [...ALL_CONFIG_OPTIONS].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const option of options) {
    const value = config.get(option);
    out[option.key] = { value: value === undefined ? null : option.format(value), origin: config.origin(option) };
  }
  return out;
}

/** The aligned table `strom config` prints: key, value, origin. */
export function formatEffectiveConfiguration(config: Configuration): string {
  // An unset option without a fixed default shows what it means (e.g. slots sized to the job).
  const unset = (key: string) => `(${findConfigOption(key)?.documentedDefault ?? 'none'})`;
  const rows = Object.entries(effectiveConfiguration(config)).map(([key, { value, origin }]) => [key, value ?? unset(key), origin]);
  const all = [['KEY', 'VALUE', 'ORIGIN'], ...rows];
  const widths = [0, 1].map((i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`).join('\n') + '\n';
}
