/**
 * The job registry holds jobs weakly: a program that defines a job per request must not keep
 * every one alive (workers find theirs while their module still holds it). Runs in a child
 * process with --expose-gc, so garbage collection can be forced.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const INDEX = new URL('../../src/index.js', import.meta.url).href;

const PROGRAM = `
import { defineJob } from ${JSON.stringify(INDEX)};
const kept = defineJob((env) => { env.fromElements(0).print(); });
const registry = globalThis[Symbol.for('strom.jobRegistry')];
for (let i = 1; i <= 2000; i++) defineJob((env) => { env.fromElements(i).print(); });
const before = registry.jobs.size;
for (let round = 0; round < 5; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const keptStillThere = [...registry.jobs.values()].some((ref) => ref.deref() === kept);
process.stdout.write(JSON.stringify({ before, after: registry.jobs.size, keptStillThere }));
`;

test('jobs nobody holds any more leave the registry; a job still held stays', async () => {
  // A file, not -e: defineJob registers jobs by the module that defines them.
  const dir = mkdtempSync(join(tmpdir(), 'strom-job-registry-'));
  let stdout: string;
  try {
    writeFileSync(join(dir, 'define-many.mjs'), PROGRAM);
    ({ stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(dir, 'define-many.mjs')], { timeout: 60_000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { before, after, keptStillThere } = JSON.parse(stdout) as { before: number; after: number; keptStillThere: boolean };
  assert.equal(before, 2001);
  assert.ok(after < 100, `${after} of 2001 jobs still registered after garbage collection`);
  assert.equal(keptStillThere, true);
});
