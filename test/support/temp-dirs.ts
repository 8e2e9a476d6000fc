/**
 * A fresh temporary directory per test, all under one root that is removed after the suite:
 * call `tempDirs(prefix)` inside a `describe`, then `dir()` in each test.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

export function tempDirs(prefix: string): () => string {
  let root: string | undefined;
  let n = 0;
  before(() => {
    root = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  return () => {
    if (!root) throw new Error('tempDirs: dir() called outside a test of its suite');
    const d = join(root, `t${n++}`);
    mkdirSync(d);
    return d;
  };
}
