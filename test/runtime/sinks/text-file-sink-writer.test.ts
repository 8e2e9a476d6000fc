import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSinkWriter } from '../../../src/runtime/sinks/sink-writer.js';
import { FileOutputCommitter } from '../../../src/runtime/sinks/file-output-committer.js';
import { SinkError } from '../../../src/errors.js';

/**
 * The sink subtasks write in-progress files named by the FileOutputCommitter, which makes them
 * the output at commit; these tests drive both halves as the JobRun does.
 */
describe('text file sink (writeAsText)', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'strom-text-sink-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function writers(path: string, parallelism: number, batchSize?: number) {
    const committer = new FileOutputCommitter([{ nodeId: 7, path, parallelism, writeMode: 'NO_OVERWRITE' }]);
    committer.prepare();
    const list = Array.from({ length: parallelism }, (_, i) =>
      createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: i, parallelism, batchSize, textFile: committer.subtaskFile(7, i) }),
    );
    return { committer, writers: list };
  }

  it('writes one file at path with parallelism 1, visible only after commit, creating parent directories', () => {
    const path = join(root, 'single', 'nested', 'out.txt');
    const { committer, writers: [writer] } = writers(path, 1, 8);
    writer!.write(['hello', 1]);
    writer!.write(['wörld', 2]);
    writer!.write({ word: 'a', count: 3 });
    writer!.close();
    writer!.close(); // idempotent
    assert.equal(existsSync(path), false, 'nothing visible before the commit');
    committer.commit();
    assert.equal(readFileSync(path, 'utf8'), '(hello,1)\n(wörld,2)\n{word=a, count=3}\n');
    assert.deepEqual(readdirSync(join(root, 'single', 'nested')), ['out.txt'], 'no hidden leftovers');
  });

  it('batches writes: nothing reaches the in-progress file before batchSize or flush', () => {
    const path = join(root, 'batched.txt');
    const { committer, writers: [writer] } = writers(path, 1);
    const file = committer.subtaskFile(7, 0);
    writer!.write('a');
    assert.equal(readFileSync(file, 'utf8'), '');
    writer!.flush();
    assert.equal(readFileSync(file, 'utf8'), 'a\n');
    writer!.write('b');
    writer!.close();
    assert.equal(readFileSync(file, 'utf8'), 'a\nb\n');
    committer.abort();
  });

  it('writes path/1, path/2, path/3 with parallelism 3', () => {
    const path = join(root, 'parallel');
    const { committer, writers: list } = writers(path, 3);
    list.forEach((w, i) => {
      for (let n = 0; n < 1000; n++) w.write([`s${i}`, n]);
    });
    for (const w of list) w.close();
    committer.commit();
    assert.deepEqual(readdirSync(path).sort(), ['1', '2', '3']);
    for (let i = 0; i < 3; i++) {
      const lines = readFileSync(join(path, String(i + 1)), 'utf8').split('\n');
      assert.equal(lines.length, 1001);
      assert.equal(lines[0], `(s${i},0)`);
      assert.equal(lines[999], `(s${i},999)`);
      assert.equal(lines[1000], '');
    }
  });

  it('creates its file exclusively and fails naming the target when it cannot', () => {
    const dir = join(root, 'taken');
    mkdirSync(dir);
    const file = join(dir, '1');
    writeFileSync(file, 'someone else');
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path: join(root, 'target') }, { subtaskIndex: 0, parallelism: 1, textFile: file }),
      (error: unknown) => {
        assert.ok(error instanceof SinkError);
        assert.equal(error.code, 'ERR_SINK_FILE');
        assert.equal(error.target, join(root, 'target'));
        assert.match(error.message, /cannot create its in-progress file .*EEXIST/);
        return true;
      },
    );
    assert.equal(readFileSync(file, 'utf8'), 'someone else', 'untouched');
  });

  it('fails clearly on an unwritable directory', (t) => {
    if (process.getuid?.() === 0) {
      t.skip('root ignores directory permissions');
      return;
    }
    const dir = join(root, 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    try {
      const file = join(dir, '1');
      assert.throws(
        () => createSinkWriter({ kind: 'textFile', path: join(root, 'out.txt') }, { subtaskIndex: 0, parallelism: 1, textFile: file }),
        (error: unknown) => {
          assert.ok(error instanceof SinkError);
          assert.equal(error.code, 'ERR_SINK_FILE');
          assert.match(error.message, /EACCES/);
          assert.equal((error.cause as { code?: string }).code, 'EACCES');
          return true;
        },
      );
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('is an internal error without the in-progress file the committer names', () => {
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path: join(root, 'x') }, { subtaskIndex: 0, parallelism: 1 }),
      (error: unknown) => (error as { code?: string }).code === 'ERR_INTERNAL',
    );
  });

  it('refuses writes after close instead of touching a recycled file descriptor', () => {
    const path = join(root, 'closed.txt');
    const { committer, writers: [writer] } = writers(path, 1, 1);
    writer!.write('a');
    writer!.close();
    assert.throws(() => writer!.write('b'), (error: unknown) => (error as { code?: string }).code === 'ERR_INTERNAL');
    committer.commit();
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
  });
});
