/**
 * whenWordChanges is strom's one non-blocking wait on a shared word. A pending Atomics.waitAsync
 * keeps no event loop alive, so the wait must, until it settles: a program whose only pending
 * work is such a wait must not end in the middle of it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { whenWordChanges } from '../../src/memory/word-change.js';

const MODULE = pathToFileURL(fileURLToPath(new URL('../../src/memory/word-change.js', import.meta.url))).href;

test('a process whose only pending work is a timed wait on a word stays alive until every wait settled', async () => {
  // 200 waits that time out (nobody notifies): each must keep the loop alive until it settles.
  const script =
    `import { whenWordChanges } from ${JSON.stringify(MODULE)};\n` +
    'const words = new Int32Array(new SharedArrayBuffer(8));\n' +
    'for (let i = 0; i < 200; i++) await whenWordChanges(words, 0, 0, 5, () => false, () => {});\n' +
    "console.log('all settled');\n";
  const ran = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout });
    });
  });
  assert.equal(ran.code, 0, 'exit code 13 means the loop ended while a wait was pending');
  assert.equal(ran.stdout, 'all settled\n');
});

test('a wait settles at once when the word changed before it, or when retry finds what it waits for, and runs done once', async () => {
  const words = new Int32Array(new SharedArrayBuffer(8));
  let done = 0;
  Atomics.store(words, 0, 1);
  await whenWordChanges(words, 0, 0, 60_000, () => false, () => done++);
  assert.equal(done, 1);
  await whenWordChanges(words, 1, 0, 60_000, () => true, () => done++);
  assert.equal(done, 2);
  const waiting = whenWordChanges(words, 1, 0, 60_000, () => false, () => done++);
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
  await waiting;
  assert.equal(done, 3);
});
