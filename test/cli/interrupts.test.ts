/**
 * `strom run` / `strom wordcount` in real child processes: SIGINT and SIGTERM cancel a running
 * job (exit 130 / 143, one line saying so, no output left, --metrics-json still written), a
 * second Ctrl-C exits at once, --overwrite replaces existing output, and a closed stdout ends the
 * process quietly (exit 141, no stack trace). Tests synchronise on the child's output; every
 * child is killed after 60 s so a test never hangs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDirs } from '../support/temp-dirs.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const JOB = fileURLToPath(new URL('../fixtures/jobs/file-output.js', import.meta.url));

interface Child {
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Resolves when stderr matches `pattern`; rejects if the child exits first. */
  stderrMatches(pattern: RegExp): Promise<void>;
  /** Resolves with the first line of stdout; rejects if the child exits first. */
  firstStdoutLine(): Promise<string>;
  closeStdout(): void;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function strom(args: string[], cwd: string): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let ended = false;
  const waiters: Array<() => void> = [];
  const notify = () => waiters.forEach((w) => w());
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    notify();
  });
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    notify();
  });
  child.stdout.on('error', () => {}); // closed by the test on purpose
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ended = true;
      notify();
      resolve({ code, signal });
    }),
  );
  const until = <T>(ready: () => T | undefined, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value !== undefined) resolve(value);
        else if (ended) reject(new Error(`the child exited before ${what}; stderr:\n${stderr}`));
        else return;
        waiters.splice(waiters.indexOf(check), 1);
      };
      waiters.push(check);
      check();
    });
  return {
    stderr: () => stderr,
    stderrMatches: (pattern) => until(() => (pattern.test(stderr) ? true : undefined), `stderr matched ${pattern}`).then(() => {}),
    firstStdoutLine: () => until(() => (stdout.includes('\n') ? stdout.slice(0, stdout.indexOf('\n')) : undefined), 'a line on stdout'),
    closeStdout: () => child.stdout.destroy(),
    kill: (signal) => child.kill(signal),
    exited,
  };
}

describe('the CLI ends jobs early the Unix way', () => {
  const dir = tempDirs('strom-cli-interrupts-');

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} on a running 'strom run' cancels the job: exit ${code}, one line, no output, metrics json written`, async () => {
      const d = dir();
      const child = strom(['run', JOB, '-p', '2', '-q', '--metrics-json', 'metrics.json', '--', '--output', 'out', '--source', 'unbounded', '--announceAt', '100000'], d);
      await child.stderrMatches(/running 100000/);
      assert.ok(readdirSync(d).some((f) => f.startsWith('.out.inprogress-')), 'the job writes its in-progress output');
      child.kill(signal);
      const { code: exitCode } = await child.exited;
      assert.equal(exitCode, code, child.stderr());
      const lines = child.stderr().trim().split('\n');
      assert.deepEqual(lines.slice(1), [`strom: ${signal}: cancelling the job and removing its in-progress output (${signal === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} exits at once)`]);
      assert.deepEqual(readdirSync(d), ['metrics.json'], 'no output and no in-progress files');
      const metrics = JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')) as {
        status: string;
        cancelledBy: string;
        metrics: { tasks: Array<{ task: string; numRecordsIn: number; status: string }> };
      };
      assert.equal(metrics.status, 'CANCELED');
      assert.equal(metrics.cancelledBy, signal);
      assert.deepEqual([...new Set(metrics.metrics.tasks.map((t) => t.status))], ['CANCELED'], "every subtask stopped by the cancel is CANCELED (Flink's ExecutionState)");
      const sinkIn = metrics.metrics.tasks.filter((t) => t.task.includes('TextFile')).reduce((s, t) => s + t.numRecordsIn, 0);
      assert.ok(sinkIn > 0, `the figures up to the cancel: ${sinkIn} records into the sink`);
    });
  }

  it('a second Ctrl-C exits at once, even while a task is stuck in user code, and still removes the in-progress output', async () => {
    const d = dir();
    const child = strom(['run', JOB, '-p', '2', '-q', '--', '--output', 'out', '--source', 'unbounded', '--failure', 'spin', '--at', '50000'], d);
    await child.stderrMatches(/running 50000/);
    child.kill('SIGINT');
    await child.stderrMatches(/cancelling the job/);
    child.kill('SIGINT');
    const { code } = await child.exited;
    assert.equal(code, 130, child.stderr());
    assert.match(child.stderr(), /strom: SIGINT again: exiting without waiting for the job to stop\n$/);
    assert.deepEqual(readdirSync(d), []);
  });

  it('--overwrite replaces existing output that strom run otherwise refuses before the job starts', async () => {
    const d = dir();
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, '3'), 'stale\n');
    const refused = strom(['run', JOB, '-p', '2', '-q', '--', '--output', 'out', '--count', '10'], d);
    assert.equal((await refused.exited).code, 1);
    assert.match(refused.stderr(), /Cannot write the text file sink '.*out': the directory already holds '3'.*--overwrite/);
    assert.doesNotMatch(refused.stderr(), /running|\n\s+at /);
    assert.deepEqual(readdirSync(out), ['3']);

    const replaced = strom(['run', JOB, '-p', '2', '-q', '--overwrite', '--', '--output', 'out', '--count', '10'], d);
    assert.equal((await replaced.exited).code, 0, replaced.stderr());
    assert.deepEqual(readdirSync(d), ['out']);
    assert.deepEqual(readdirSync(out).sort(), ['1', '2']);
    const numbers = ['1', '2'].flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map(Number);
    assert.deepEqual(numbers.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("strom wordcount -o refuses an existing file unless --overwrite", async () => {
    const d = dir();
    writeFileSync(join(d, 'in.txt'), 'to be or not to be\n');
    writeFileSync(join(d, 'counts'), 'old\n');
    const refused = strom(['wordcount', 'in.txt', '-o', 'counts', '-q'], d);
    assert.equal((await refused.exited).code, 1);
    assert.match(refused.stderr(), /'.*counts': it already exists/);
    assert.equal(readFileSync(join(d, 'counts'), 'utf8'), 'old\n');
    const replaced = strom(['wordcount', 'in.txt', '-o', 'counts', '-q', '--overwrite'], d);
    assert.equal((await replaced.exited).code, 0, replaced.stderr());
    assert.deepEqual(readFileSync(join(d, 'counts'), 'utf8').trim().split('\n').sort(), ['(be,2)', '(not,1)', '(or,1)', '(to,2)']);
    assert.deepEqual(readdirSync(d).sort(), ['counts', 'in.txt']);
  });

  it('a closed stdout (| head -1) cancels a printing job quietly: exit 141, no stack trace', async () => {
    const d = dir();
    const child = strom(['run', JOB, '-p', '2', '-q', '--', '--sink', 'print', '--source', 'unbounded'], d);
    assert.match(await child.firstStdoutLine(), /^\d> \d+$/);
    child.closeStdout();
    const { code } = await child.exited;
    assert.equal(code, 141, child.stderr());
    assert.equal(child.stderr(), '');
  });

  it("'strom wordcount' with its stdout closed exits quietly instead of an unhandled EPIPE", async () => {
    const d = dir();
    writeFileSync(join(d, 'in.txt'), 'a b c\n');
    const child = strom(['wordcount', 'in.txt', '-q'], d);
    child.closeStdout();
    const { code } = await child.exited;
    assert.equal(code, 141, child.stderr());
    assert.equal(child.stderr(), '');
  });
});
