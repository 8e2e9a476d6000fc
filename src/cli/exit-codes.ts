/**
 * The `strom` command's exit codes, defined once, and how an error maps to one.
 *
 * - 0 `OK`: the command did what it was asked (the job finished).
 * - 1 `JOB_FAILED`: the job started and failed (a user function threw, a source could not read
 *   its file, a sink's output exists, a task ran out of heap, a worker died).
 * - 2 `USAGE`: the job never started because of how strom was called: a bad command line, a
 *   missing job module or input, a configuration error (an unknown key, a bad value, network
 *   memory too small for the job's channels, too few task slots), or a job that cannot be
 *   planned (e.g. a missing path parameter).
 * - 130 / 143: cancelled by SIGINT / SIGTERM; 141: stdout was closed (interrupts.ts).
 */
import { constants } from 'node:os';
import { StromError } from '../errors.js';
import { UsageError } from './usage.js';

export const ExitCode = {
  OK: 0,
  JOB_FAILED: 1,
  USAGE: 2,
} as const;

/** Why a job ended early (interrupts.ts): a signal, or stdout closed by its reader. */
export type Interruption = 'SIGINT' | 'SIGTERM' | 'EPIPE';

/** The exit code of an interruption: 128 + the signal's number (EPIPE: SIGPIPE's), as shells report: 130, 143, 141. */
export function interruptedExitCode(reason: Interruption): number {
  return 128 + constants.signals[reason === 'EPIPE' ? 'SIGPIPE' : reason];
}

/** Codes of errors raised before a job starts that mean "fix the call or the configuration". */
const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ERR_INVALID_CONFIG',
  'ERR_CONFIG_SOURCE',
  'ERR_INSUFFICIENT_NETWORK_BUFFERS',
  'ERR_INSUFFICIENT_SLOTS',
  'ERR_INVALID_JOB',
]);

/**
 * Task failures whose message already names the cause and the fix (a file that exists or is
 * missing, a socket that refused, state or heap beyond its limit): printed as one line, without
 * a hint about the stack trace.
 */
export const USER_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ERR_SINK_FILE_EXISTS',
  'ERR_SINK_FILE',
  'ERR_SOURCE_FILE',
  'ERR_SOURCE_SOCKET',
  'ERR_MANAGED_MEMORY_EXCEEDED',
  'ERR_WORKER_OUT_OF_MEMORY',
]);

/** True for a mistake in the command line (strom's own UsageError, or node's parseArgs errors). */
export function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || String((error as { code?: unknown })?.code).startsWith('ERR_PARSE_ARGS_');
}

/** The exit code `error` ends the command with. */
export function exitCodeOf(error: unknown): number {
  if (isUsageError(error)) return ExitCode.USAGE;
  if (error instanceof StromError && USAGE_ERROR_CODES.has(error.code)) return ExitCode.USAGE;
  return ExitCode.JOB_FAILED;
}
