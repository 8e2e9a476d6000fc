/**
 * The TS mirrors outside network memory must match their one C++ declaration, code for code:
 * src/memory/managed-memory-layout.ts vs native/core/managed_memory.h, and the aggregation kind
 * and process status codes of src/state/aggregation-kind.ts vs native/core/keyed_aggregation.h,
 * and the `code` of each plain Error the addon throws when strom's error classes are not
 * registered vs the code of the src/errors.ts class it stands in for.
 * The C++ side comes from the addon's sharedConstants() (native/napi/shared_constants.cc); each
 * group is compared whole (deepEqual), so a value only one side has fails as well as a changed one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { InsufficientNetworkBuffersError, NativeAddonError } from '../../src/errors.js';
import * as managed from '../../src/memory/managed-memory-layout.js';
import { loadNativeAddon, nativeAddonPath } from '../../src/native/addon.js';
import { AggregationKindCode, ProcessStatus } from '../../src/state/aggregation-kind.js';

test('TS managed memory layout mirrors native/core/managed_memory.h', () => {
  const native = loadNativeAddon().sharedConstants().MANAGED_MEMORY;
  const mirrored: Record<string, number> = {
    MAGIC: managed.MANAGED_MEMORY_MAGIC,
    VERSION: managed.MANAGED_MEMORY_VERSION,
    WORDS: managed.MANAGED_MEMORY_WORDS,
    BYTES: managed.MANAGED_MEMORY_BYTES,
    // TS has no constant for it: the layout documents BUDGET as "< 2^53" and reads it as a Number.
    MAX_BUDGET: Number.MAX_SAFE_INTEGER,
  };
  for (const [name, index] of Object.entries(managed.ManagedMemoryWord)) mirrored[`WORD.${name}`] = index;
  assert.deepEqual(mirrored, native);
});

test('the managed memory words JS reads hold what the layout says', () => {
  const addon = loadNativeAddon();
  const buffer = new SharedArrayBuffer(managed.MANAGED_MEMORY_BYTES + 8);
  addon.formatManagedMemory(new Uint8Array(buffer, 8, managed.MANAGED_MEMORY_BYTES), 12345);
  const words = managed.managedMemoryWords(buffer, 8);
  const W = managed.ManagedMemoryWord;
  assert.equal(Atomics.load(words, W.MAGIC), BigInt(managed.MANAGED_MEMORY_MAGIC));
  assert.equal(Atomics.load(words, W.VERSION), BigInt(managed.MANAGED_MEMORY_VERSION));
  assert.deepEqual(managed.readManagedMemoryUsage(words), { budget: 12345, used: 0, highWater: 0 });
  for (let i = W.HIGH_WATER + 1; i < managed.MANAGED_MEMORY_WORDS; i++) assert.equal(Atomics.load(words, i), 0n);
});

test('TS aggregation kind codes mirror core::AggregationKind', () => {
  assert.deepEqual({ ...AggregationKindCode }, loadNativeAddon().sharedConstants().AGGREGATION_KIND);
});

test('TS process status codes mirror core::ProcessStatus', () => {
  assert.deepEqual({ ...ProcessStatus }, loadNativeAddon().sharedConstants().PROCESS_STATUS);
});

/** The code of each strom error class the addon has a plain-Error fallback for. */
const classCodes: Record<string, string> = {
  InsufficientNetworkBuffersError: new InsufficientNetworkBuffersError('', 0, 0).code,
  NativeAddonError: new NativeAddonError('').code,
};

test("the codes of the addon's plain-Error fallbacks mirror strom's error classes", () => {
  assert.deepEqual(classCodes, loadNativeAddon().sharedConstants().ERROR_CODE);
});

test('the addon without registered error classes throws plain Errors with those codes', async () => {
  // A fresh process loads the bare addon (no registerErrorClasses) and provokes each fallback.
  const script = `
    const addon = require(${JSON.stringify(nativeAddonPath())});
    const codeOf = (call) => { try { call(); return 'no error'; } catch (e) { return e.constructor.name + ' ' + e.code; } };
    const options = { segmentSize: 4096, numSegments: 2, maxLocalPools: 1, numSubpartitionCounters: 4 };
    const view = new Uint8Array(new SharedArrayBuffer(addon.networkMemoryLayout(options).byteLength));
    addon.formatNetworkMemory(view, options);
    const pool = new addon.NetworkBufferPool(view);
    process.stdout.write(JSON.stringify({
      InsufficientNetworkBuffersError: codeOf(() => pool.createLocalPool(4, 1, 0, 1)),
      NativeAddonError: codeOf(() => addon.__testThrow('bad_alloc')),
    }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 60_000 });
  const expected = Object.fromEntries(Object.entries(classCodes).map(([name, code]) => [name, `Error ${code}`]));
  assert.deepEqual(JSON.parse(stdout), expected);
});
