import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSinkWriter } from '../../../src/runtime/sinks/sink-writer.js';
import { SinkError } from '../../../src/errors.js';

describe('text file sink (writeAsText)', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'strom-text-sink-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('writes one file at path with parallelism 1, creating parent directories', () => {
    const path = join(root, 'single', 'nested', 'out.txt');
    const writer = createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1, batchSize: 8 });
    writer.write(['hello', 1]);
    writer.write(['wörld', 2]);
    writer.write({ word: 'a', count: 3 });
    writer.close();
    writer.close(); // idempotent
    assert.equal(readFileSync(path, 'utf8'), '(hello,1)\n(wörld,2)\n{word=a, count=3}\n');
  });

  it('batches writes: nothing reaches the file before batchSize or flush', () => {
    const path = join(root, 'batched.txt');
    const writer = createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 });
    writer.write('a');
    assert.equal(readFileSync(path, 'utf8'), '');
    writer.flush();
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
    writer.write('b');
    writer.close();
    assert.equal(readFileSync(path, 'utf8'), 'a\nb\n');
  });

  it('writes path/1, path/2, path/3 with parallelism 3', () => {
    const path = join(root, 'parallel');
    const writers = [0, 1, 2].map((i) => createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: i, parallelism: 3 }));
    writers.forEach((w, i) => {
      for (let n = 0; n < 1000; n++) w.write([`s${i}`, n]);
    });
    for (const w of writers) w.close();
    assert.deepEqual(readdirSync(path).sort(), ['1', '2', '3']);
    for (let i = 0; i < 3; i++) {
      const lines = readFileSync(join(path, String(i + 1)), 'utf8').split('\n');
      assert.equal(lines.length, 1001);
      assert.equal(lines[0], `(s${i},0)`);
      assert.equal(lines[999], `(s${i},999)`);
      assert.equal(lines[1000], '');
    }
  });

  it('accepts an existing directory with parallelism > 1', () => {
    const path = join(root, 'existing-dir');
    mkdirSync(path);
    const writer = createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 1, parallelism: 2 });
    writer.write('x');
    writer.close();
    assert.equal(readFileSync(join(path, '2'), 'utf8'), 'x\n');
  });

  it('refuses to overwrite an existing file (Flink NO_OVERWRITE), naming the path', () => {
    const path = join(root, 'exists.txt');
    writeFileSync(path, 'keep me\n');
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof SinkError);
        assert.equal(error.code, 'ERR_SINK_FILE_EXISTS');
        assert.equal(error.target, path);
        assert.match(error.message, new RegExp(`'${path.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}'`));
        assert.match(error.message, /already exists.*delete it or choose another path/);
        return true;
      },
    );
    assert.equal(readFileSync(path, 'utf8'), 'keep me\n', 'untouched');

    const dir = join(root, 'exists-dir');
    mkdirSync(dir);
    writeFileSync(join(dir, '1'), 'old');
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path: dir }, { subtaskIndex: 0, parallelism: 2 }),
      (error: unknown) => error instanceof SinkError && error.code === 'ERR_SINK_FILE_EXISTS' && error.target === join(dir, '1'),
    );
    // An existing directory where a parallelism-1 file should go.
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path: dir }, { subtaskIndex: 0, parallelism: 1 }),
      (error: unknown) => error instanceof SinkError && error.code === 'ERR_SINK_FILE_EXISTS',
    );
  });

  it('fails clearly when path is a file but parallelism > 1 needs a directory', () => {
    const path = join(root, 'a-file');
    writeFileSync(path, '');
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof SinkError);
        assert.equal(error.code, 'ERR_SINK_FILE');
        assert.match(error.message, /is not a directory.*parallelism 2/);
        return true;
      },
    );
  });

  it('fails clearly on an unwritable path', (t) => {
    if (process.getuid?.() === 0) {
      t.skip('root ignores directory permissions');
      return;
    }
    const dir = join(root, 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    try {
      const path = join(dir, 'out.txt');
      assert.throws(
        () => createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 }),
        (error: unknown) => {
          assert.ok(error instanceof SinkError);
          assert.equal(error.code, 'ERR_SINK_FILE');
          assert.equal(error.target, path);
          assert.match(error.message, /EACCES/);
          assert.equal((error.cause as { code?: string }).code, 'EACCES');
          return true;
        },
      );
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('fails clearly when a parent is a file (ENOTDIR), even as root', () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, '');
    const path = join(file, 'sub', 'out.txt');
    assert.throws(
      () => createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 }),
      (error: unknown) => error instanceof SinkError && error.code === 'ERR_SINK_FILE' && error.message.includes(path),
    );
  });

  it('refuses writes after close instead of touching a recycled file descriptor', () => {
    const path = join(root, 'closed.txt');
    const writer = createSinkWriter({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1, batchSize: 1 });
    writer.write('a');
    writer.close();
    assert.throws(() => writer.write('b'), (error: unknown) => (error as { code?: string }).code === 'ERR_INTERNAL');
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
  });
});
