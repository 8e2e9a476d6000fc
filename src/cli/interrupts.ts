/**
 * How `strom run` and `strom wordcount` end early, the way Unix tools do:
 *
 * - SIGINT (Ctrl-C) or SIGTERM while a job runs cancels it: one line on stderr says so at once
 *   (naming the signal), the workers stop, its in-progress output is removed (the JobRun does that
 *   before its result rejects), `--metrics-json` gets the figures up to the cancel, and the
 *   process exits with 128 + the signal's number (130, 143). The line comes at once because a
 *   task stuck in user code takes the stop grace period to end.
 * - A second signal exits at once with that code; the JobRun's process 'exit' hook still removes
 *   the in-progress output (synchronously).
 * - A closed stdout (EPIPE: `strom wordcount big.txt | head -1`) cancels a running job the same
 *   way but quietly, and exits with 141 (128 + SIGPIPE), which is what a shell reports for a Unix
 *   tool that SIGPIPE ended; when no job runs, it exits at once. Node ignores SIGPIPE, so without
 *   this a closed stdout is an unhandled 'error' event with a stack trace. Lines the job's
 *   `print()` sinks write in worker threads reach stdout through the main thread, so the same
 *   guard covers them.
 *
 * One job is watched at a time (the CLI runs one).
 */
import { interruptedExitCode, type Interruption } from './exit-codes.js';

let watched: JobInterrupts | undefined;
let stdoutGuarded = false;

/** Watches signals and stdout while one job runs; `dispose()` once it ended. */
export class JobInterrupts {
  /** Set by the first interruption; the job was asked to cancel then. */
  reason: Interruption | undefined;
  readonly #cancel: () => void;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.reason !== undefined) {
      // A signal after the first interruption: no more waiting. The JobRun's 'exit' hook removes
      // the in-progress output.
      process.stderr.write(`strom: ${signal}${this.reason === 'EPIPE' ? '' : ' again'}: exiting without waiting for the job to stop\n`);
      process.exit(interruptedExitCode(signal as Interruption));
    }
    this.interrupt(signal as Interruption);
  };

  /** Starts watching; `cancel` cancels the job (called once, on the first interruption). */
  constructor(cancel: () => void) {
    this.#cancel = cancel;
    guardStdout();
    watched = this;
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  /** Stops watching signals (they act as usual again); a closed stdout still exits quietly. */
  dispose(): void {
    process.removeListener('SIGINT', this.#onSignal);
    process.removeListener('SIGTERM', this.#onSignal);
    if (watched === this) watched = undefined;
  }

  /** The first interruption cancels the job; later ones change nothing. */
  interrupt(reason: Interruption): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    if (reason !== 'EPIPE') {
      process.stderr.write(
        `strom: ${reason}: cancelling the job and removing its in-progress output (${reason === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} exits at once)\n`,
      );
    }
    this.#cancel();
  }
}

/**
 * Ends the process after a job was cancelled by `reason` (its in-progress output is gone by
 * then): writes its figures (`--metrics-json`), then exits with `interruptedExitCode(reason)`.
 */
export async function exitInterrupted(reason: Interruption, writeFigures: () => Promise<void>): Promise<never> {
  try {
    await writeFigures();
  } finally {
    process.exit(interruptedExitCode(reason));
  }
}

/** Installs, once per process, the handler that turns a closed stdout into a quiet end. */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') {
      process.stderr.write(`strom: cannot write to stdout: ${error.message}\n`);
      process.exit(1);
    }
    if (watched) watched.interrupt('EPIPE');
    else process.exit(interruptedExitCode('EPIPE'));
  });
}
