/**
 * Renders `docs/configuration.md` from the option declarations, so the documentation cannot
 * drift from the code: `npm run docs:config` writes it, and a test fails when the committed
 * file differs from what this module renders.
 *
 * Depends on: config-option(s), memory-size, duration.
 */

import type { ConfigOption } from './config-option.js';
import { ALL_CONFIG_OPTIONS } from './config-options.js';
import { DURATION_UNITS_DESCRIPTION } from './duration.js';
import { MEMORY_UNITS_DESCRIPTION } from './memory-size.js';

/** The type column: `memory`, `duration`, ..., or the values of an enum. */
export function describeOptionType(option: ConfigOption<unknown>): string {
  if (option.values) return `enum (${option.values.join(', ')})`;
  return option.type;
}

/** The default as documented: machine-independent text, `(none)` for optional options. */
export function describeOptionDefault(option: ConfigOption<unknown>): string {
  if (option.documentedDefault !== undefined) return option.documentedDefault;
  if (option.defaultValue === undefined) return '(none)';
  return `\`${option.format(option.defaultValue)}\``;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The whole of `docs/configuration.md`. */
export function renderConfigurationDocs(options: ReadonlyArray<ConfigOption<unknown>> = ALL_CONFIG_OPTIONS): string {
  const sorted = [...options].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rows = sorted.map((o) => {
    const accepts = o.accepted.replace(/^expected /, '');
    return `| \`${o.key}\` | ${cell(describeOptionType(o))} | ${cell(describeOptionDefault(o))} | ${cell(o.description)} Accepts ${cell(accepts)}. |`;
  });
  return `<!-- Generated from src/config/config-options.ts by \`npm run docs:config\`; do not edit by hand. -->

# Configuration

strom reads Apache Flink's configuration keys where Flink has them. \`strom config\` prints the
effective value of every key below and where it came from.

## Sources, later ones winning

1. **defaults** (the table below);
2. **a config file**: \`--config path\` (\`.json\` is read as JSON, anything else as YAML), or
   else \`strom.yaml\`, \`strom.yml\` or \`strom.json\` in the directory named by \`STROM_CONF_DIR\`
   (Flink's \`FLINK_CONF_DIR\`). No file is read implicitly otherwise;
3. **the environment variable \`STROM_PROPERTIES\`**: newline-separated \`key: value\` lines (Flink's
   \`FLINK_PROPERTIES\`). There are no per-key environment variables;
4. **dynamic properties**: \`-D key=value\`, then the CLI's \`--parallelism\` / \`--mode\`;
5. **options passed in code**: \`loadConfiguration({ file, env, dynamic, code })\` builds this
   layered configuration from code (\`execute(job, { config })\` alone uses defaults and \`config\`).

Files take flat Flink keys (\`taskmanager.numberOfTaskSlots: 4\`), nested maps as in Flink 2's
\`config.yaml\` (\`taskmanager: { numberOfTaskSlots: 4 }\`), or both; JSON likewise.

## Value formats

- **memory**: a whole number and an optional unit, case-insensitive, spaces allowed (\`32kb\`,
  \`64 mb\`, \`1g\`); no unit means bytes; units are binary (1kb = 1024 bytes):
  ${MEMORY_UNITS_DESCRIPTION}.
- **duration**: a whole number and an optional unit (\`100 ms\`, \`1 s\`, \`1min\`); no unit means
  milliseconds. ${DURATION_UNITS_DESCRIPTION}.
- **enum**: case-insensitive (\`batch\` = \`BATCH\`). **boolean**: \`true\` / \`false\`.

An unknown key fails with the nearest known key; a bad value names the key, the value, what is
accepted and the source (file and line, \`STROM_PROPERTIES\`, \`-D\`, code). Combinations are
checked before a job starts (network memory bounds, slots, buffers); the CLI exits with code 2
for all of these.

## The local TaskManager's resources, and where strom differs from Flink

strom starts one local TaskManager per job, as Flink's per-job MiniCluster does.

- **Task slots**: \`taskmanager.numberOfTaskSlots\` not set gives the TaskManager exactly the
  slots the job needs (the sum over its slot sharing groups of their highest parallelism; Flink's
  MiniCluster takes the job's highest parallelism). A value that is set is a limit.
- **Heap**: each slot is a worker thread with its own V8 heap,
  \`taskmanager.memory.task.heap.size\` (Flink: the JVM heap all slots share). Not set: half the
  machine's memory divided among the slots, 256mb to 2gb. A task exceeding it fails its job,
  naming the key; \`resourceLimits\` given to \`execute()\` win.
- **Network memory** follows Flink's rules. Without \`taskmanager.memory.process.size\` it has
  one fixed size, as in Flink's local execution: \`network.min\`, or \`network.max\` when only
  that is set, 64mb when neither is; both set must be equal. With a process size it is
  \`network.fraction\` x process size, clamped to \`network.min\` (64mb) .. \`network.max\`
  (unbounded). strom applies the fraction to the process size (Flink: to total Flink memory),
  rounds down to whole segments (Flink rejects other sizes), and allocates at most 2 GiB
  including bookkeeping, i.e. 2046mb of 32kb segments (one SharedArrayBuffer addressed with
  int32 offsets).

## Keys

| key | type | default | meaning |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
}
