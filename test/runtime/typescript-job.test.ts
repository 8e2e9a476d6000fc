import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { executeAndCollect } from '../../src/index.js';

test('a TypeScript job module runs: strom registers tsx in the worker threads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-ts-job-'));
  try {
    const index = pathToFileURL(new URL('../../src/index.js', import.meta.url).pathname).href;
    const file = join(dir, 'squares.mts');
    // Type annotations and an interface: this file only runs through a TypeScript loader.
    writeFileSync(
      file,
      `import { defineJob, Types } from '${index}';
interface Square { n: number; square: number }
const toSquare = (n: number): Square => ({ n, square: n * n });
export default defineJob((env) => {
  env.fromSequence(1, 50).setParallelism(2).map(toSquare).map((s: Square): number => s.square).returns(Types.DOUBLE).collect();
});
`,
    );
    const job = (await import('tsx/esm/api').then(async (tsx) => {
      tsx.register();
      return import(pathToFileURL(file).href);
    })) as { default: Parameters<typeof executeAndCollect>[0] };
    const seen: number[] = [];
    for await (const square of executeAndCollect<number>(job.default, { module: file })) seen.push(square);
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => (i + 1) ** 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
