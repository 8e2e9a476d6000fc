import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileOutputCommitter, type TextFileOutput } from '../../../src/runtime/sinks/file-output-committer.js';
import { SinkError, StromError } from '../../../src/errors.js';
import { tempDirs } from '../../support/temp-dirs.js';

describe('FileOutputCommitter (writeAsText output: whole or absent)', () => {
  const dir = tempDirs('strom-committer-');
  /** Prepares, writes each subtask's in-progress file as a sink subtask would, returns the committer. */
  function run(outputs: TextFileOutput[], content = (o: TextFileOutput, i: number) => `${o.nodeId}/${i + 1}\n`): FileOutputCommitter {
    const committer = new FileOutputCommitter(outputs);
    committer.prepare();
    for (const o of outputs) for (let i = 0; i < o.parallelism; i++) writeFileSync(committer.subtaskFile(o.nodeId, i), content(o, i), { flag: 'wx' });
    return committer;
  }
  const isExists = (path: string, detail: RegExp) => (error: unknown) => {
    assert.ok(error instanceof SinkError, String(error));
    assert.equal(error.code, 'ERR_SINK_FILE_EXISTS');
    assert.equal(error.target, path);
    assert.ok(error.message.includes(`'${path}'`), error.message);
    assert.match(error.message, detail);
    assert.match(error.message, /writeAsText\(path, 'OVERWRITE'\), -D fs\.overwrite-files=true or strom's --overwrite/);
    return true;
  };

  it('stages in a hidden directory next to the target and shows the output only at commit', () => {
    const d = dir();
    const committer = run([
      { nodeId: 1, path: join(d, 'single.txt'), parallelism: 1, writeMode: 'NO_OVERWRITE' },
      { nodeId: 2, path: join(d, 'parallel'), parallelism: 3, writeMode: 'NO_OVERWRITE' },
    ]);
    const staged = readdirSync(d).sort();
    assert.equal(staged.length, 2);
    for (const name of staged) assert.match(name, new RegExp(`^\\.(single\\.txt|parallel)\\.inprogress-${committer.runId}$`));
    committer.commit();
    assert.deepEqual(readdirSync(d).sort(), ['parallel', 'single.txt'], 'exactly the output, no hidden leftovers');
    assert.equal(readFileSync(join(d, 'single.txt'), 'utf8'), '1/1\n');
    assert.deepEqual(readdirSync(join(d, 'parallel')).sort(), ['1', '2', '3']);
    assert.equal(readFileSync(join(d, 'parallel', '2'), 'utf8'), '2/2\n');
  });

  it('abort removes every in-progress file and leaves nothing', () => {
    const d = dir();
    const committer = run([
      { nodeId: 1, path: join(d, 'a.txt'), parallelism: 1, writeMode: 'NO_OVERWRITE' },
      { nodeId: 2, path: join(d, 'b'), parallelism: 2, writeMode: 'OVERWRITE' },
    ]);
    committer.abort();
    committer.abort(); // idempotent
    assert.deepEqual(readdirSync(d), []);
  });

  it('creates missing parent directories at prepare', () => {
    const d = dir();
    const path = join(d, 'x', 'y', 'out');
    run([{ nodeId: 0, path, parallelism: 2, writeMode: 'NO_OVERWRITE' }]).commit();
    assert.deepEqual(readdirSync(path).sort(), ['1', '2']);
  });

  it('refuses, before anything is touched, a directory holding files of an earlier run (NO_OVERWRITE)', () => {
    const d = dir();
    const path = join(d, 'out');
    mkdirSync(path);
    writeFileSync(join(path, '3'), 'stale\n');
    assert.throws(() => new FileOutputCommitter([{ nodeId: 0, path, parallelism: 2, writeMode: 'NO_OVERWRITE' }]), isExists(path, /already holds '3', from an earlier run/));
    assert.deepEqual(readdirSync(d), ['out'], 'no staging directory made');
    assert.deepEqual(readdirSync(path), ['3']);
    assert.equal(readFileSync(join(path, '3'), 'utf8'), 'stale\n');
  });

  it('refuses an existing file (parallelism 1), a directory for a file, and a file for a directory', () => {
    const d = dir();
    const file = join(d, 'file.txt');
    writeFileSync(file, 'keep me\n');
    assert.throws(() => new FileOutputCommitter([{ nodeId: 0, path: file, parallelism: 1, writeMode: 'NO_OVERWRITE' }]), isExists(file, /it already exists/));
    assert.throws(
      () => new FileOutputCommitter([{ nodeId: 0, path: file, parallelism: 2, writeMode: 'NO_OVERWRITE' }]),
      isExists(file, /existing file \(with parallelism 2 writeAsText writes a directory of files 1\.\.2\)/),
    );
    const empty = join(d, 'empty');
    mkdirSync(empty);
    assert.throws(
      () => new FileOutputCommitter([{ nodeId: 0, path: empty, parallelism: 1, writeMode: 'NO_OVERWRITE' }]),
      isExists(empty, /existing directory \(with parallelism 1 writeAsText writes one file\)/),
    );
    assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
  });

  it('accepts an existing empty directory for the parallel layout', () => {
    const d = dir();
    const path = join(d, 'empty');
    mkdirSync(path);
    run([{ nodeId: 0, path, parallelism: 2, writeMode: 'NO_OVERWRITE' }]).commit();
    assert.deepEqual(readdirSync(path).sort(), ['1', '2']);
    assert.deepEqual(readdirSync(d), ['empty']);
  });

  it('OVERWRITE replaces the whole old directory or file at commit, and only then', () => {
    const d = dir();
    const path = join(d, 'out');
    mkdirSync(path);
    for (const name of ['1', '2', '3']) writeFileSync(join(path, name), `old ${name}\n`);
    const committer = run([{ nodeId: 0, path, parallelism: 2, writeMode: 'OVERWRITE' }]);
    assert.deepEqual(readdirSync(path).sort(), ['1', '2', '3'], 'old output intact while the job runs');
    committer.commit();
    assert.deepEqual(readdirSync(path).sort(), ['1', '2'], 'the stale 3 is gone: the directory was replaced');
    assert.equal(readFileSync(join(path, '1'), 'utf8'), '0/1\n');
    assert.deepEqual(readdirSync(d), ['out'], 'no hidden leftovers');

    // A directory replaced by a parallelism-1 file, and a file by a file.
    run([{ nodeId: 0, path, parallelism: 1, writeMode: 'OVERWRITE' }], () => 'file now\n').commit();
    assert.equal(readFileSync(path, 'utf8'), 'file now\n');
    run([{ nodeId: 0, path, parallelism: 1, writeMode: 'OVERWRITE' }], () => 'again\n').commit();
    assert.equal(readFileSync(path, 'utf8'), 'again\n');
    assert.deepEqual(readdirSync(d), ['out']);
  });

  it('OVERWRITE keeps the old output when the job fails (abort)', () => {
    const d = dir();
    const path = join(d, 'out');
    mkdirSync(path);
    writeFileSync(join(path, '1'), 'old\n');
    run([{ nodeId: 0, path, parallelism: 2, writeMode: 'OVERWRITE' }]).abort();
    assert.deepEqual(readdirSync(d), ['out']);
    assert.deepEqual(readdirSync(path), ['1']);
    assert.equal(readFileSync(join(path, '1'), 'utf8'), 'old\n');
  });

  it('commits all outputs or none: a target that appeared meanwhile rolls back the ones already committed', () => {
    const d = dir();
    const first = join(d, 'first');
    mkdirSync(first);
    writeFileSync(join(first, '1'), 'old first\n');
    const second = join(d, 'second.txt');
    const committer = run([
      { nodeId: 1, path: first, parallelism: 2, writeMode: 'OVERWRITE' },
      { nodeId: 2, path: second, parallelism: 1, writeMode: 'NO_OVERWRITE' },
    ]);
    writeFileSync(second, 'appeared while the job ran\n');
    assert.throws(() => committer.commit(), isExists(second, /created while the job ran/));
    committer.abort();
    assert.deepEqual(readdirSync(d).sort(), ['first', 'second.txt'], 'no in-progress or replaced leftovers');
    assert.deepEqual(readdirSync(first), ['1'], 'the first output was rolled back and the old one restored');
    assert.equal(readFileSync(join(first, '1'), 'utf8'), 'old first\n');
    assert.equal(readFileSync(second, 'utf8'), 'appeared while the job ran\n');
  });

  it('refuses two sinks writing the same path, and OVERWRITE of the directory holding the working directory', () => {
    const d = dir();
    assert.throws(
      () =>
        new FileOutputCommitter([
          { nodeId: 1, path: join(d, 'same'), parallelism: 1, writeMode: 'NO_OVERWRITE' },
          { nodeId: 2, path: join(d, 'x', '..', 'same'), parallelism: 2, writeMode: 'NO_OVERWRITE' },
        ]),
      (error: unknown) => error instanceof StromError && error.code === 'ERR_INVALID_JOB' && /two writeAsText sinks write to/.test(error.message),
    );
    assert.throws(
      () => new FileOutputCommitter([{ nodeId: 1, path: process.cwd(), parallelism: 2, writeMode: 'OVERWRITE' }]),
      (error: unknown) => error instanceof SinkError && error.code === 'ERR_SINK_FILE' && /current working directory/.test(error.message),
    );
    assert.equal(existsSync(process.cwd()), true);
  });

  it('fails clearly when a parent of the target is a file, leaving nothing behind', () => {
    const d = dir();
    writeFileSync(join(d, 'plain'), '');
    const ok = join(d, 'ok.txt');
    const path = join(d, 'plain', 'sub', 'out.txt');
    const committer = new FileOutputCommitter([
      { nodeId: 1, path: ok, parallelism: 1, writeMode: 'NO_OVERWRITE' },
      { nodeId: 2, path, parallelism: 1, writeMode: 'NO_OVERWRITE' },
    ]);
    assert.throws(
      () => committer.prepare(),
      (error: unknown) => error instanceof SinkError && error.code === 'ERR_SINK_FILE' && error.target === path && /is a file, not a directory/.test(error.message),
    );
    assert.deepEqual(readdirSync(d), ['plain'], 'the staging directory of the first sink was removed');
  });
});
