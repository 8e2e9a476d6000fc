/**
 * Makes the output of a job's `writeAsText` sinks whole or absent: the main thread's half of the
 * text file sinks (Flink's FileOutputCommitter idea, without checkpoints; exactly-once with
 * checkpoints comes later).
 *
 * Lifecycle, driven by the JobRun on the main thread:
 *
 * 1. `new FileOutputCommitter(outputs)`, before anything runs: checks every target. In
 *    `NO_OVERWRITE` mode an existing target fails with `ERR_SINK_FILE_EXISTS` (parallelism 1: any
 *    file or directory at `path`; above 1: a file, or a directory that is not empty, so a stale
 *    `3` from an earlier run never mixes with a new `1` and `2`). An existing empty directory is
 *    fine. Two sinks writing the same path fail with `ERR_INVALID_JOB`.
 * 2. `prepare()`: creates the missing parent directories and, next to each target, a hidden
 *    staging directory `.<name>.inprogress-<runId>`. Sink subtask i writes the file
 *    `<staging>/<i + 1>` (`subtaskFile`), created exclusively by its TextFileSinkWriter.
 * 3. `commit()`, once every task finished successfully: each output appears by one rename on
 *    the same file system: parallelism 1 the file `<staging>/1` becomes `path`, above 1 the
 *    staging directory becomes the directory `path`. In `OVERWRITE` mode an existing target is
 *    first renamed aside (`.<name>.replaced-<runId>`) and removed after every output is in
 *    place. If any output cannot be committed, the ones already committed are moved back and the
 *    replaced targets restored, so a job's outputs appear together or not at all.
 * 4. `abort()`, on failure or cancel (after the workers stopped): removes the staging
 *    directories, synchronously. Also safe to call while workers still write (best effort):
 *    `abortOnProcessExit()` calls it from the process's 'exit' event while the job runs, so a
 *    process that exits at once (process.exit, a second Ctrl-C) leaves no in-progress output.
 *
 * Where strom differs from Flink: Flink's OVERWRITE deletes the old output when the sink opens;
 * strom replaces it only at commit, so a failed job leaves the earlier output intact. A process
 * killed outright (SIGKILL) can leave a hidden `.<name>.inprogress-<runId>` directory, which is
 * never mistaken for output and may be deleted.
 *
 * Layering: runtime/sinks; depends on errors, graph (types) and node:fs only.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errorCode, errorMessage, errors } from '../../errors.js';
import type { ExecutionPlan } from '../../graph/execution-plan.js';
import type { StreamGraph, WriteMode } from '../../graph/stream-graph.js';

/** One writeAsText sink of a job. */
export interface TextFileOutput {
  /** The StreamGraph node of the sink. */
  nodeId: number;
  /** Where the output goes (resolved against the current directory). */
  path: string;
  /** The sink's parallelism: 1 writes the file `path`, more the directory `path/1..N`. */
  parallelism: number;
  writeMode: WriteMode;
}

/**
 * The writeAsText sinks of a planned job, with their parallelism and write mode (the sink's own,
 * else `OVERWRITE` when `overwriteByDefault`, the configuration's `fs.overwrite-files`).
 */
export function textFileOutputs(graph: StreamGraph, plan: ExecutionPlan, overwriteByDefault: boolean): TextFileOutput[] {
  const outputs: TextFileOutput[] = [];
  for (const { vertex } of plan.vertices) {
    const tail = graph.nodes[vertex.nodeIds[vertex.nodeIds.length - 1]!]!;
    if (tail.operator.kind !== 'sink' || tail.operator.sink.kind !== 'textFile') continue;
    const { path, writeMode } = tail.operator.sink;
    outputs.push({ nodeId: tail.id, path, parallelism: vertex.parallelism, writeMode: writeMode ?? (overwriteByDefault ? 'OVERWRITE' : 'NO_OVERWRITE') });
  }
  return outputs;
}

/** What commit did to one output, to undo it if a later output fails. */
interface Committed {
  output: TextFileOutput;
  staging: string;
  /** Where the replaced target was moved, when there was one. */
  replaced: string | undefined;
  /** The target was an empty directory, which the output took the place of. */
  emptyDirectory: boolean;
}

export class FileOutputCommitter {
  readonly outputs: readonly TextFileOutput[];
  /** Tells this run's staging directories apart from those of other runs writing next to them. */
  readonly runId: string;
  readonly #staging = new Map<number, string>();
  #prepared = false;
  #finished = false;

  /** Checks the targets (throws `ERR_SINK_FILE_EXISTS` / `ERR_INVALID_JOB`); touches nothing. */
  constructor(outputs: readonly TextFileOutput[], runId = newRunId()) {
    this.runId = runId;
    this.outputs = outputs.map((o) => ({ ...o, path: resolve(o.path) }));
    const seen = new Set<string>();
    for (const output of this.outputs) {
      if (seen.has(output.path)) {
        throw errors.invalidJob(`two writeAsText sinks write to '${output.path}': give each sink its own path`);
      }
      seen.add(output.path);
      check(output);
      this.#staging.set(output.nodeId, join(dirname(output.path), `.${basename(output.path)}.inprogress-${runId}`));
    }
  }

  /** The in-progress file sink subtask `subtaskIndex` of the sink `nodeId` writes. */
  subtaskFile(nodeId: number, subtaskIndex: number): string {
    const staging = this.#staging.get(nodeId);
    if (staging === undefined) throw errors.internal(`no writeAsText sink with node id ${nodeId}`);
    return join(staging, String(subtaskIndex + 1));
  }

  /** Creates the parent directories and the staging directories; on failure removes what it made. */
  prepare(): void {
    this.#prepared = true;
    for (const output of this.outputs) {
      const staging = this.#staging.get(output.nodeId)!;
      const parent = dirname(output.path);
      try {
        mkdirSync(parent, { recursive: true });
      } catch (error) {
        this.abort();
        throw errors.sinkFile(
          output.path,
          errorCode(error) === 'EEXIST' || errorCode(error) === 'ENOTDIR'
            ? `cannot create the directory '${parent}': a part of it is a file, not a directory`
            : `cannot create the directory '${parent}' (${errorMessage(error)})`,
          error,
        );
      }
      try {
        mkdirSync(staging);
      } catch (error) {
        this.abort();
        throw errors.sinkFile(output.path, `cannot create its in-progress directory '${staging}' (${errorMessage(error)})`, error);
      }
    }
  }

  /**
   * Makes every output visible (see the module comment). Throws `ERR_SINK_FILE_EXISTS` when a
   * NO_OVERWRITE target appeared meanwhile, `ERR_SINK_FILE` on an I/O error; then nothing is
   * visible and the caller aborts.
   */
  commit(): void {
    if (!this.#prepared || this.#finished) throw errors.internal('FileOutputCommitter.commit() called before prepare() or twice');
    const done: Committed[] = [];
    try {
      for (const output of this.outputs) done.push(this.#commitOne(output));
    } catch (error) {
      for (const step of done.reverse()) undo(step);
      throw error;
    }
    this.#finished = true;
    // Everything is in place; what is left are hidden leftovers (replaced targets, empty staging).
    for (const step of done) {
      if (step.replaced) removeQuietly(step.replaced);
      if (step.output.parallelism === 1) removeQuietly(step.staging);
    }
  }

  /**
   * Until the returned function is called, aborts if the process exits (one 'exit' listener for
   * all the committers of the process, whatever the number of jobs running).
   */
  abortOnProcessExit(): () => void {
    if (committersToAbortOnExit.size === 0) process.on('exit', abortAllOnExit);
    committersToAbortOnExit.add(this);
    return () => {
      if (committersToAbortOnExit.delete(this) && committersToAbortOnExit.size === 0) process.removeListener('exit', abortAllOnExit);
    };
  }

  /** Removes the in-progress output of every sink; synchronous, never throws, idempotent. */
  abort(): void {
    if (this.#finished) return;
    for (const staging of this.#staging.values()) removeQuietly(staging);
  }

  #commitOne(output: TextFileOutput): Committed {
    const staging = this.#staging.get(output.nodeId)!;
    const source = output.parallelism === 1 ? join(staging, '1') : staging;
    const existing = kindAt(output.path);
    let replaced: string | undefined;
    if (existing !== undefined) {
      if (output.writeMode === 'NO_OVERWRITE' && !(existing === 'empty directory' && output.parallelism > 1)) {
        throw errors.sinkFileExists(output.path, `it was created while the job ran`);
      }
      if (output.writeMode === 'OVERWRITE') {
        replaced = join(dirname(output.path), `.${basename(output.path)}.replaced-${this.runId}`);
        move(output.path, replaced, output.path);
      } else {
        // An empty directory (parallelism > 1): rename() replaces it on POSIX; elsewhere remove it first.
        try {
          renameSync(source, output.path);
          return { output, staging, replaced, emptyDirectory: true };
        } catch {
          try {
            rmdirSync(output.path);
          } catch (error) {
            throw errors.sinkFileExists(output.path, `files were written into it while the job ran (${errorMessage(error)})`);
          }
        }
      }
    }
    try {
      move(source, output.path, output.path);
    } catch (error) {
      if (replaced) {
        try {
          renameSync(replaced, output.path);
        } catch {
          // Never deleted: the old output stays under its hidden name, and the first error is reported.
        }
      }
      throw errorCode(error) === 'ENOTEMPTY' || errorCode(error) === 'EEXIST' || errorCode(error) === 'ENOTDIR'
        ? errors.sinkFileExists(output.path, 'it was created while the job ran')
        : error;
    }
    return { output, staging, replaced, emptyDirectory: existing === 'empty directory' };
  }
}

/** The committers of running jobs, aborted if the process exits. */
const committersToAbortOnExit = new Set<FileOutputCommitter>();

function abortAllOnExit(): void {
  for (const committer of committersToAbortOnExit) committer.abort();
}

let runsInProcess = 0;

/**
 * An id no other run next to the same target has: process id, time and a counter (the staging
 * directory is created exclusively, so a clash fails loudly rather than mixing runs). Not
 * node:crypto, which every task-slot worker would load for nothing.
 */
function newRunId(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${(runsInProcess++).toString(36)}`;
}

/** Refuses a NO_OVERWRITE target that holds output (see the module comment, step 1). */
function check(output: TextFileOutput): void {
  const { path, parallelism, writeMode } = output;
  if (dirname(path) === path) throw errors.sinkFile(path, 'it is the root of the file system; write to a file or directory inside it');
  const existing = kindAt(path);
  if (existing === undefined) return;
  if (writeMode === 'OVERWRITE') {
    const cwd = relative(path, process.cwd());
    const holdsCwd = cwd === '' || !(cwd === '..' || cwd.startsWith(`..${sep}`) || isAbsolute(cwd));
    if (existing !== 'file' && holdsCwd) {
      throw errors.sinkFile(path, 'OVERWRITE would replace the directory holding the current working directory; choose another path');
    }
    return;
  }
  if (parallelism === 1) {
    throw errors.sinkFileExists(
      path,
      existing === 'file' ? 'it already exists' : `it is an existing directory (with parallelism 1 writeAsText writes one file)`,
    );
  }
  if (existing === 'file') {
    throw errors.sinkFileExists(path, `it is an existing file (with parallelism ${parallelism} writeAsText writes a directory of files 1..${parallelism})`);
  }
  if (existing === 'directory') {
    const entries = readdirSync(path).sort();
    const shown = entries.slice(0, 5).map((e) => `'${e}'`).join(', ') + (entries.length > 5 ? `, ... (${entries.length} entries)` : '');
    throw errors.sinkFileExists(path, `the directory already holds ${shown}, from an earlier run or another program`);
  }
}

/** What is at `path`: undefined (nothing), a file, an empty directory or a directory with entries. */
function kindAt(path: string): 'file' | 'empty directory' | 'directory' | undefined {
  let isDirectory: boolean;
  try {
    isDirectory = lstatSync(path).isDirectory();
  } catch (error) {
    // ENOTDIR: a parent is a file; prepare() reports it when it creates the directories.
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw errors.sinkFile(path, `cannot inspect it (${errorMessage(error)})`, error);
  }
  if (!isDirectory) return 'file';
  try {
    return readdirSync(path).length === 0 ? 'empty directory' : 'directory';
  } catch (error) {
    throw errors.sinkFile(path, `cannot list the directory (${errorMessage(error)})`, error);
  }
}

function move(from: string, to: string, target: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if (errorCode(error) === 'ENOTEMPTY' || errorCode(error) === 'EEXIST' || errorCode(error) === 'ENOTDIR') throw error;
    throw errors.sinkFile(target, `cannot move '${from}' to '${to}' (${errorMessage(error)})`, error);
  }
}

/** Moves a committed output back into its staging place and restores what it replaced. */
function undo(step: Committed): void {
  const { output, staging, replaced } = step;
  try {
    renameSync(output.path, output.parallelism === 1 ? join(staging, '1') : staging);
    if (replaced) renameSync(replaced, output.path);
    else if (step.emptyDirectory) mkdirSync(output.path);
  } catch {
    // Best effort: the caller reports the first error; a failed undo leaves hidden names behind.
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // A hidden leftover, never mistaken for output.
  }
}

