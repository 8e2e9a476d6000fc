/**
 * writeAsText output on real worker threads is whole or absent: a job that fails (a throwing
 * function, a worker that exits, a source that cannot read), or is cancelled, leaves no output
 * and no in-progress files; existing output is refused before the job starts unless the write
 * mode is OVERWRITE, which replaces it only when the job succeeded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { execute, JobCancelledError, JobExecutionError, StromError, submit } from '../../src/index.js';
import fileOutput from '../fixtures/jobs/file-output.js';
import { tempDirs } from '../support/temp-dirs.js';

const P2 = { 'parallelism.default': 2 };

/** The error `promise` rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('the job should not succeed'),
    (e: unknown) => e,
  );
}

/**
 * Runs `fileOutput` with `params` until a map announces on a BroadcastChannel that it runs, calls
 * `whileRunning`, then cancels it; returns the error the run ended with. Fails instead of hanging
 * if the job ends before it announces.
 */
async function cancelOnceRunning(
  params: Record<string, string>,
  config: Record<string, unknown>,
  whileRunning: () => void = () => {},
): Promise<unknown> {
  const name = `strom-file-output-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const channel = new BroadcastChannel(name);
  const running = new Promise<void>((resolve) => (channel.onmessage = () => resolve()));
  try {
    const abort = new AbortController();
    const result = execute(fileOutput, { params: { ...params, channel: name }, config, signal: abort.signal });
    await Promise.race([
      running,
      result.then(() => {
        throw new Error('the job ended before it announced that it runs');
      }),
    ]);
    try {
      whileRunning();
    } finally {
      abort.abort(); // also when its assertions fail: an unbounded job must not outlive the test
    }
    return await failure(result);
  } finally {
    channel.close();
  }
}

describe('writeAsText output is whole or absent', () => {
  const dir = tempDirs('strom-file-output-');
  /** The numbers in every file of the directory `path`, sorted. */
  function numbersIn(path: string): number[] {
    return readdirSync(path)
      .flatMap((f) => readFileSync(join(path, f), 'utf8').split('\n').filter(Boolean).map(Number))
      .sort((a, b) => a - b);
  }

  it('a successful job leaves exactly the expected files, no hidden leftovers', async () => {
    const d = dir();
    await execute(fileOutput, { params: { output: join(d, 'out'), count: '1000' }, config: P2 });
    await execute(fileOutput, { params: { output: join(d, 'single.txt'), count: '10' }, config: { 'parallelism.default': 1 } });
    assert.deepEqual(readdirSync(d).sort(), ['out', 'single.txt']);
    assert.deepEqual(readdirSync(join(d, 'out')).sort(), ['1', '2']);
    assert.deepEqual(numbersIn(join(d, 'out')), Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.equal(readFileSync(join(d, 'single.txt'), 'utf8'), '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n');
  });

  it('a throwing map leaves no output and no in-progress files', async () => {
    const d = dir();
    // 200k numbers: each subtask has written batches to its in-progress file before 150000 throws.
    const error = await failure(
      execute(fileOutput, { params: { output: join(d, 'out'), count: '200000', failure: 'throw', at: '150000' }, config: P2 }),
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.match(error.message, /boom at 150000/);
    assert.deepEqual(readdirSync(d), []);
  });

  it('a worker that exits (process.exit in a user function) leaves no output', async () => {
    const d = dir();
    const error = await failure(
      execute(fileOutput, { params: { output: join(d, 'out.txt'), count: '200000', failure: 'exit', at: '150000' }, config: { 'parallelism.default': 1 } }),
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.match(error.message, /worker thread .* died/);
    assert.deepEqual(readdirSync(d), []);
  });

  it('readTextFile on a directory fails the job and leaves no empty output files', async () => {
    const d = dir();
    const input = join(d, 'input-dir');
    mkdirSync(input);
    const error = await failure(execute(fileOutput, { params: { output: join(d, 'fo'), source: 'file', input }, config: P2 }));
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.match(error.message, /input-dir/);
    assert.deepEqual(readdirSync(d), ['input-dir']);
  });

  it('a cancelled job leaves no output and no in-progress files', async () => {
    const d = dir();
    const error = await cancelOnceRunning({ output: join(d, 'out'), source: 'unbounded', announceAt: '100000' }, P2, () => {
      assert.equal(readdirSync(d).length, 1, 'the in-progress directory exists while the job runs');
      assert.match(readdirSync(d)[0]!, /^\.out\.inprogress-[0-9a-z]+$/);
    });
    assert.ok(error instanceof JobCancelledError, String(error));
    assert.deepEqual(readdirSync(d), []);
  });

  it('a cancel that must terminate a worker stuck in user code is still a cancel, and leaves no output', async () => {
    const d = dir();
    // One slot: its only worker is stuck (the map announced 50000 and spins from then on), so
    // only terminating it ends the job.
    const error = await cancelOnceRunning({ output: join(d, 'out'), source: 'unbounded', failure: 'spin', at: '50000' }, { 'parallelism.default': 1 });
    assert.ok(error instanceof JobCancelledError, String(error));
    assert.deepEqual(readdirSync(d), []);
  });

  it('a target directory holding files of an earlier run is refused before the job starts, the old files untouched', () => {
    const d = dir();
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, '3'), 'stale\n');
    assert.throws(
      () => submit(fileOutput, { params: { output: out }, config: P2 }),
      (error: unknown) => {
        assert.ok(error instanceof StromError);
        assert.equal(error.code, 'ERR_SINK_FILE_EXISTS');
        assert.ok(error.message.includes(`'${out}'`), error.message);
        assert.match(error.message, /already holds '3'.*'OVERWRITE'/);
        return true;
      },
    );
    assert.deepEqual(readdirSync(d), ['out']);
    assert.deepEqual(readdirSync(out), ['3']);
    assert.equal(readFileSync(join(out, '3'), 'utf8'), 'stale\n');
  });

  it("OVERWRITE (writeAsText(path, 'OVERWRITE') or fs.overwrite-files) replaces the old output when the job succeeds", async () => {
    const d = dir();
    const out = join(d, 'out');
    mkdirSync(out);
    for (const f of ['1', '2', '3']) writeFileSync(join(out, f), 'old\n');
    await execute(fileOutput, { params: { output: out, count: '100', mode: 'OVERWRITE' }, config: P2 });
    assert.deepEqual(readdirSync(out).sort(), ['1', '2'], 'the stale 3 is gone');
    assert.deepEqual(numbersIn(out), Array.from({ length: 100 }, (_, i) => i + 1));
    await execute(fileOutput, { params: { output: out, count: '10' }, config: { ...P2, 'fs.overwrite-files': true } });
    assert.deepEqual(numbersIn(out), Array.from({ length: 10 }, (_, i) => i + 1));
    // The sink's own mode wins over the configuration.
    assert.throws(
      () => submit(fileOutput, { params: { output: out, mode: 'NO_OVERWRITE' }, config: { ...P2, 'fs.overwrite-files': true } }),
      (error: unknown) => (error as StromError).code === 'ERR_SINK_FILE_EXISTS',
    );
    assert.deepEqual(readdirSync(d), ['out'], 'no hidden leftovers');
  });

  it('OVERWRITE keeps the old output intact when the job fails', async () => {
    const d = dir();
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, '1'), 'old\n');
    await failure(execute(fileOutput, { params: { output: out, count: '200000', failure: 'throw', at: '150000', mode: 'OVERWRITE' }, config: P2 }));
    assert.deepEqual(readdirSync(d), ['out']);
    assert.deepEqual(readdirSync(out), ['1']);
    assert.equal(readFileSync(join(out, '1'), 'utf8'), 'old\n');
  });
});
