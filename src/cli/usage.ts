/**
 * The CLI's texts (general and per-command help), its version, and UsageError: a mistake in the
 * command line, reported in one line with exit code 2.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const { version } = require('../../../package.json') as { version: string };

/** A mistake in how strom was called: printed as one line, exit code 2. */
export class UsageError extends Error {}

export const HELP = `strom ${version}: a fast local stream-processing engine for Node.js

Usage:
  strom run <job-module> [options] [-- job params]   run a job (a module whose default export is defineJob(...))
  strom wordcount [input] [options]                   count words (Flink's WordCount; embedded text without input)
  strom explain <job-module> [options] [-- params]    print the job's plan without running it
  strom config [options]                              print the effective configuration and where each value came from
  strom help | version

Options:
  -p, --parallelism N       default parallelism (parallelism.default)
  -m, --mode MODE           streaming or batch (execution.runtime-mode)
  -D key=value              any configuration key, e.g. -D taskmanager.numberOfTaskSlots=4
  -c, --config FILE         a strom.yaml / strom.json file (default: $STROM_CONF_DIR/strom.yaml if set)
      --json                (config) print JSON instead of a table
  -o, --output PATH         (wordcount) write the counts to PATH instead of printing the top words
      --overwrite           (run, wordcount) replace existing output of writeAsText sinks (fs.overwrite-files=true)
  -q, --quiet               (run, wordcount) no live status view and no summary
      --metrics-json FILE   (run, wordcount) write the final metrics of every subtask to FILE
      --metrics-port PORT   (run, wordcount) serve Prometheus metrics on 127.0.0.1:PORT while the job runs
      --verbose             on an error, also print the stack traces (or set STROM_DEBUG=1)
  -h, --help                this help (also: strom <command> --help)
  -v, --version             print strom's version (also: strom version)

Job params after "--" are passed to the job as { key: value } from "--key value" pairs.
Configuration, later winning: defaults < --config file < STROM_PROPERTIES ("key: value" lines)
< -D < --parallelism/--mode/--overwrite. Keys and formats: docs/configuration.md.

writeAsText output appears only when the job succeeds; existing output is refused unless
--overwrite. Ctrl-C (SIGINT) or SIGTERM cancels a running job and removes its in-progress
output (a second Ctrl-C exits at once); a closed stdout ends it quietly.

Exit codes:
  0  success
  1  the job failed (a user function threw, a source's file is missing, an output exists,
     a task ran out of heap)
  2  bad usage or configuration; the job did not start (unknown option or key, bad value,
     missing job module, wordcount input or job parameter, too few task slots or network buffers)
  130 / 143  cancelled by SIGINT (Ctrl-C) / SIGTERM;  141  stdout was closed (| head)
Errors print one line with the cause and the fix; --verbose or STROM_DEBUG=1 adds stack traces.
`;

export const COMMAND_HELP: Record<string, string> = {
  run: `Usage: strom run <job-module> [-p N] [-m streaming|batch] [-D key=value ...] [-c file] [-q]
                 [--overwrite] [--metrics-json FILE] [--metrics-port PORT] [-- --key value ...]

Runs a job module (.js, .mjs, .cjs, .ts, .mts or .cts; ESM or CommonJS) whose default export
is defineJob((env, params) => ...). A module that runs itself (await execute(job, {...}) at its
top level) has that call run once by strom run, with these params and options winning.
While it runs, a status view on stderr shows each task's records/s, back-pressure and buffers
(a refreshing table on a terminal, log lines otherwise); a summary follows at the end.
The output of writeAsText sinks appears only when the job succeeds; output that already exists
is refused before the job starts unless --overwrite (fs.overwrite-files=true) replaces it.
Ctrl-C (SIGINT) or SIGTERM cancels the job: its in-progress output is removed, --metrics-json
still gets the figures so far, and a second Ctrl-C exits at once. A closed stdout (| head)
cancels it quietly.
Exit code 0 on success, 1 when the job fails, 2 for bad usage or configuration (the job did
not start), 130 / 143 when cancelled by SIGINT / SIGTERM, 141 when stdout was closed.
--verbose (or STROM_DEBUG=1) adds the stack traces to an error.
`,
  wordcount: `Usage: strom wordcount [input] [-o path [--overwrite]] [-p N] [-m streaming|batch] [-D key=value ...] [-q]
                       [--metrics-json FILE] [--metrics-port PORT]

Flink's WordCount: lower-cases each line, splits on non-word characters and counts the words.
Without input it counts an embedded text; without -o it prints the top words and a summary.
Runs in BATCH mode unless -m or the configuration says otherwise. With -o, existing output is
refused unless --overwrite. Ctrl-C / SIGTERM cancel it (exit code 130 / 143, no output left).
Exit code 0 on success, 1 when the job fails, 2 for bad usage or configuration.
`,
  explain: `Usage: strom explain <job-module> [-p N] [-D key=value ...] [-c file] [-- --key value ...]

Prints the job's plan without running it: tasks, chains, parallelism, partitioners, slots,
key groups and network buffers.
`,
  config: `Usage: strom config [-c file] [-D key=value ...] [--json]

Prints every configuration key with its effective value and where it came from
(default, file, STROM_PROPERTIES, -D). Keys and formats: docs/configuration.md.
`,
};
