/**
 * Streaming sinks flush on `execution.buffer-timeout` (issue 9): `strom run` in a real child
 * process runs a source that emits three records and then stays quiet without ending
 * (fixtures/jobs/trickle.ts). The records must show while the job still runs (print() on the
 * child's stdout, writeAsText in its hidden in-progress file), not only when the job is
 * cancelled. The tests synchronise on the child's output; every wait is bounded and fails with
 * a message, and every child is killed after 60 s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDirs } from '../support/temp-dirs.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const JOB = fileURLToPath(new URL('../fixtures/jobs/trickle.js', import.meta.url));
/** The longest a test waits for the child's output: a bound against hanging, not a timing claim. */
const WAIT_MS = 30_000;

interface Child {
  stdout(): string;
  stderr(): string;
  /** Resolves once `ready()` holds, checked on each output of the child and every `pollMs`; rejects with `what` if the child exits or WAIT_MS pass first. */
  until(ready: () => boolean, what: string, pollMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

function strom(args: string[], cwd: string): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    notify();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      ended = true;
      notify();
      resolve(code);
    }),
  );
  const until = (ready: () => boolean, what: string, pollMs?: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        listeners.delete(check);
        clearTimeout(deadline);
        if (poll) clearInterval(poll);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => {
        if (ready()) done();
        else if (ended) done(new Error(`the job ended before ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      };
      const deadline = setTimeout(
        () => done(new Error(`waited ${WAIT_MS / 1000} s for ${what} while the job ran: the sink holds its output until the job ends\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
        WAIT_MS,
      );
      const poll = pollMs === undefined ? undefined : setInterval(check, pollMs);
      listeners.add(check);
      check();
    });
  return { stdout: () => stdout, stderr: () => stderr, until, kill: (signal) => child.kill(signal), exited };
}

describe('streaming sinks flush on execution.buffer-timeout while the job runs', () => {
  const dir = tempDirs('strom-sink-flush-');

  for (const timeout of ['100ms', '0']) {
    it(`print(): the records reach stdout before the job ends (buffer timeout ${timeout}); SIGINT then cancels it (exit 130)`, async () => {
      const child = strom(['run', JOB, '-p', '1', '-q', '-D', `execution.buffer-timeout=${timeout}`, '--', '--sink', 'print'], dir());
      await child.until(() => child.stdout() === '0\n1\n2\n', 'the lines "0", "1" and "2" on stdout');
      child.kill('SIGINT');
      assert.equal(await child.exited, 130, child.stderr());
      assert.equal(child.stdout(), '0\n1\n2\n', 'each record printed once');
    });
  }

  it('writeAsText: the in-progress file gets the records before the job ends; SIGINT removes it (exit 130)', async () => {
    const d = dir();
    const inProgress = (): string | undefined => {
      const staging = readdirSync(d).find((f) => f.startsWith('.out.inprogress-'));
      const file = staging === undefined ? undefined : join(d, staging, '1');
      if (file === undefined || !existsSync(file)) return undefined;
      return readFileSync(file, 'utf8');
    };
    const child = strom(['run', JOB, '-p', '1', '-q', '--', '--sink', 'text', '--output', 'out'], d);
    // A file's growth raises no event in the parent: look at it on each output of the child and every 20 ms.
    await child.until(() => inProgress() === '0\n1\n2\n', "the lines '0', '1' and '2' in the in-progress file .out.inprogress-*/1", 20);
    assert.equal(existsSync(join(d, 'out')), false, 'the target appears only when the job succeeds');
    child.kill('SIGINT');
    assert.equal(await child.exited, 130, child.stderr());
    assert.deepEqual(readdirSync(d), [], 'the cancelled job leaves no output');
  });
});
