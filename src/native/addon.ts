/**
 * Loads strom's C++ addon (`strom_native.node`) and describes what it exports.
 *
 * Layer: native (bottom). Imports only from `src/errors.ts`.
 *
 * The addon is loaded once per thread (main thread and each worker get their own instance, with
 * per-instance native state); loading registers strom's error classes with native code so it
 * throws real {@link InsufficientNetworkBuffersError}s. The file is found by node-gyp-build: a
 * build from source (build/Release, what `npm ci` in a checkout compiles) before the prebuilt
 * binary an installed package ships (prebuilds/, made by `npm run build:prebuilt`). Set
 * `STROM_ADDON_PATH` to load another build (the sanitizer run of `npm run test:native` does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CorruptRecordError, InsufficientNetworkBuffersError, ManagedMemoryExceededError, NativeAddonError } from '../errors.js';

/** Sizing of one network memory region. */
export interface NetworkMemoryOptions {
  /** Bytes per segment: a power of two, at least 64 (Flink: taskmanager.memory.segment-size, 32 KiB). */
  segmentSize: number;
  /** Number of segments, at least 1. The whole region must stay below 2^31 bytes. */
  numSegments: number;
  /** Local pools that may exist at once, at least 1. */
  maxLocalPools: number;
  /** Subpartition counters shared by all local pools (sum of their numSubpartitions), at least 1. */
  numSubpartitionCounters: number;
}

/** Geometry of a network memory region; offsets in bytes from the start of the view. */
export interface NetworkMemoryLayoutInfo {
  /** Bytes the view must have at least. */
  byteLength: number;
  segmentSize: number;
  numSegments: number;
  maxLocalPools: number;
  numSubpartitionCounters: number;
  headerOffset: number;
  localPoolsOffset: number;
  countersOffset: number;
  descriptorsOffset: number;
  /** Segment i occupies [segmentsOffset + i * segmentSize, + segmentSize). 64-byte aligned. */
  segmentsOffset: number;
}

/** Global counters (Flink's TotalMemorySegments, AvailableMemorySegments, UsedMemorySegments). */
export interface NetworkPoolStats {
  totalSegments: number;
  availableSegments: number;
  usedSegments: number;
  /** Most segments used at once; never above totalSegments. */
  highWaterUsed: number;
  /** Sum of the active local pools' required minimums. */
  reservedMinimum: number;
  numLocalPools: number;
  /** Bytes per segment. */
  segmentSize: number;
  /** Byte offset of segment 0 from the start of the view (64-byte aligned). */
  segmentsOffset: number;
}

/** Counters of one local pool, read one by one (not a consistent snapshot while busy). */
export interface LocalPoolStats {
  numSubpartitions: number;
  exclusivePerSubpartition: number;
  maxFloating: number;
  maxPerSubpartition: number;
  /** numSubpartitions x exclusivePerSubpartition + min(1, maxFloating). */
  minSegments: number;
  /** numSubpartitions x exclusivePerSubpartition + maxFloating. */
  maxSegments: number;
  /** Current floating quota after redistribution. */
  floatingSize: number;
  floatingInUse: number;
  held: number;
  highWaterHeld: number;
  requestsGranted: number;
  requestsDenied: number;
  heldPerSubpartition: number[];
}

/**
 * One thread's attachment to network memory (native class). All state lives in the shared
 * memory, so instances on different threads over the same SharedArrayBuffer see the same pools.
 */
export interface NativeNetworkBufferPool {
  /**
   * Creates a local pool; returns its id. Throws InsufficientNetworkBuffersError when its
   * minimum does not fit, RangeError for bad arguments, Error when no pool slot or counter range
   * is free.
   */
  createLocalPool(
    numSubpartitions: number,
    exclusivePerSubpartition: number,
    maxFloating: number,
    maxPerSubpartition: number,
  ): number;
  /**
   * Destroys a pool nobody uses any more. If it still holds segments, throws unless `force`
   * (default false), which reclaims them. Returns the number of segments reclaimed; when above 0,
   * notify waiters on RECYCLE_EPOCH.
   */
  destroyLocalPool(poolId: number, force?: boolean): number;
  /** Non-blocking: a segment index >= 0, or a negative RequestStatus code. */
  requestSegment(poolId: number, subpartition: number): number;
  /** Frees a segment; returns WAITERS (call Atomics.notify on RECYCLE_EPOCH when above 0). */
  recycleSegment(index: number): number;
  stats(): NetworkPoolStats;
  localPoolStats(poolId: number): LocalPoolStats;
}

/** What {@link NativeAddon.sharedConstants} returns. */
export interface NativeSharedConstants {
  MANAGED_MEMORY: Record<string, number>;
  AGGREGATION_KIND: Record<string, number>;
  PROCESS_STATUS: Record<string, number>;
  /** The `code` of each plain Error the addon throws when strom's error classes are not registered, by class name. */
  ERROR_CODE: Record<string, string>;
}

/** What `strom_native.node` exports. */
export interface NativeAddon {
  /** Pure: validates the options and computes the layout. */
  networkMemoryLayout(options: NetworkMemoryOptions): NetworkMemoryLayoutInfo;
  /**
   * Formats `view` (a Uint8Array over a SharedArrayBuffer, byteOffset a multiple of 8): header,
   * empty pool table, all segments on the free stack. Once, before any pool attaches.
   */
  formatNetworkMemory(view: Uint8Array, options: NetworkMemoryOptions): NetworkMemoryLayoutInfo;
  /**
   * Every named index and code of native/core/network_memory_layout.h, channel_layout.h and the
   * field kinds of record_schema.h (`FIELD_KIND.*`), as "GROUP.NAME" keys.
   */
  layoutConstants(): Record<string, number>;
  /**
   * The C++ side of the other TS mirrors, one object per group: `MANAGED_MEMORY` (the codes and
   * word indices of native/core/managed_memory.h, words as "WORD.NAME"), `AGGREGATION_KIND` and
   * `PROCESS_STATUS` (the AggregationKind and ProcessStatus codes of native/core/keyed_aggregation.h),
   * and `ERROR_CODE` (the codes of native/napi/error_translation.h's plain-Error fallbacks).
   */
  sharedConstants(): NativeSharedConstants;
  /**
   * Test hook: the key group of every framed record (`[int32 length][tag 0][payload]`, back to
   * back) in `frames`, computed natively on the serialized bytes: Flink's
   * `murmurHash(hashCode(key)) % maxParallelism`, where the key is record field `keyFields[0]`
   * alone or the tuple of all `keyFields` (as TS `javaHashCode` of a JS array key).
   * `descriptor` comes from `describeType` (src/types/type-descriptor.ts).
   * Throws TypeError for wrong argument types or a schema with GENERIC; RangeError for a
   * malformed descriptor, a key field outside the record, maxParallelism outside 1..32768, and
   * corrupt, cut or non-matching frames.
   */
  keyGroupsOfRecords(descriptor: Int32Array, keyFields: Int32Array, frames: Uint8Array, maxParallelism: number): Int32Array;
  /** Test hook: like {@link NativeAddon.keyGroupsOfRecords}, returning each record's Java key hash. */
  keyHashesOfRecords(descriptor: Int32Array, keyFields: Int32Array, frames: Uint8Array): Int32Array;
  /** Attaches to formatted network memory; checks MAGIC and VERSION. */
  NetworkBufferPool: new (view: Uint8Array) => NativeNetworkBufferPool;
  /** Called once per load by {@link loadNativeAddon}. */
  registerErrorClasses(classes: {
    InsufficientNetworkBuffersError: typeof InsufficientNetworkBuffersError;
    ManagedMemoryExceededError: typeof ManagedMemoryExceededError;
    CorruptRecordError: typeof CorruptRecordError;
    NativeAddonError: typeof NativeAddonError;
  }): void;
  /** Formats a managed memory account (MANAGED_MEMORY_BYTES, 8-byte aligned, shared) with `budget` bytes. */
  formatManagedMemory(view: Uint8Array, budget: number): void;
  /** Native keyed aggregation over serialized records; see src/state/native-keyed-aggregation.ts. */
  KeyedAggregation: new (options: NativeKeyedAggregationOptions) => NativeKeyedAggregation;
  /** The native keyed state store (native/napi/keyed_state_store_wrap.h); see src/state/native-keyed-state-backend.ts. */
  KeyedStateStore: new (options: { managedMemory: Uint8Array; scratch: Uint8Array; operatorName: string }) => NativeKeyedStateStore;
  /**
   * TEST-ONLY (native/napi/test_hooks.h): throws the C++ exception `kind` names through the
   * addon's exception translation: 'bad_alloc', 'runtime_error', 'int', or 'range_error' (a
   * Napi::RangeError, passed through unchanged).
   */
  __testThrow(kind: 'bad_alloc' | 'runtime_error' | 'int' | 'range_error'): never;
  /** TEST-ONLY: a class whose constructor throws like {@link NativeAddon.__testThrow}. */
  __TestThrowing: new (kind: 'bad_alloc' | 'runtime_error' | 'int' | 'range_error') => never;
}

/**
 * The native keyed state store: entries named by (state id, current key, namespace[, user key])
 * in managed memory. Arguments are offsets into the scratch Uint8Array given at construction
 * (or by setScratch); kinds: 0 value, 1 map, 2 map element. Methods are documented in
 * native/napi/keyed_state_store_wrap.h.
 */
export interface NativeKeyedStateStore {
  setScratch(scratch: Uint8Array): void;
  registerFixedState(stateId: number, flagOffset: number, valueOffset: number, width: number): number;
  /** keyKind: 0 the caller writes the key group, 1 STRING, 2 DOUBLE, 3 LONG, 4 BOOLEAN (the store hashes the key). */
  setKeyRouting(keyKind: number, maxParallelism: number, keyOffset: number): void;
  /** Arguments in the scratch: int32 key length at 0, int32 key group at 4 (written by the store for kinds 1-4). */
  setCurrentKey(): void;
  insertFixed(index: number): void;
  removeFixed(index: number): void;
  get(stateId: number, kind: number, offset: number, nsLength: number, userKeyLength: number): number;
  put(stateId: number, kind: number, offset: number, nsLength: number, userKeyLength: number, valueLength: number): void;
  append(stateId: number, offset: number, nsLength: number, valueLength: number): void;
  remove(stateId: number, kind: number, offset: number, nsLength: number, userKeyLength: number): boolean;
  mapSize(stateId: number, offset: number, nsLength: number): number;
  mapEntries(stateId: number, offset: number, nsLength: number): Uint8Array;
  keys(stateId: number, offset: number, nsLength: number): Uint8Array;
  entries(keyGroupStart: number, keyGroupEnd: number): Uint8Array;
  putEntry(stateId: number, kind: number, keyGroup: number, offset: number, keyLength: number, nsLength: number, userKeyLength: number, valueLength: number): void;
  stats(): { entries: number; memoryBytes: number; freeBytes: number };
  close(): void;
}

/** Options of the native KeyedAggregation (validated again natively). */
export interface NativeKeyedAggregationOptions {
  /** describeType() of the input records. */
  descriptor: Int32Array;
  /** Top-level primitive fields forming the key. */
  keyFields: Int32Array;
  /** AggregationKindCode of src/state/aggregation-kind.ts. */
  kind: number;
  /** Aggregated top-level field (-1 for count). */
  field: number;
  /** STREAMING (true) emits per record; BATCH (false) at emitFinal. */
  streaming: boolean;
  maxParallelism: number;
  /** The TaskManager's managed memory account (a Uint8Array over its SharedArrayBuffer). */
  managedMemory: Uint8Array;
  /** Named in error messages. */
  operatorName: string;
}

/**
 * result words of process()/emitFinal(): [consumed, produced, records, status, needed], status
 * 0 = done, 1 = output full (needed = bytes of the next frame), 2 = a frame is cut at the end,
 * 3 = emitFinal stopped at maxRecords (more finals remain).
 */
export interface NativeKeyedAggregation {
  process(input: Uint8Array, start: number, end: number, output: Uint8Array, outStart: number, outEnd: number, result: Int32Array): void;
  /** BATCH finals from the emission cursor on: at most `maxRecords` (default all) and what fits in `[outStart, outEnd)`. */
  emitFinal(output: Uint8Array, outStart: number, outEnd: number, result: Int32Array, maxRecords?: number): void;
  snapshot(keyGroupStart?: number, keyGroupEnd?: number): Uint8Array;
  restore(bytes: Uint8Array): void;
  stats(): { keys: number; memoryBytes: number; recordsIn: number };
  /** Frees the state and returns its managed memory at once; later calls throw. */
  close(): void;
}

/** node-gyp-build's loader: `path(dir)` finds the addon of the package in `dir` or throws. */
interface NodeGypBuild {
  path(dir: string): string;
}

/** The directory holding strom's package.json, found by walking up from this file. */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'strom') return directory;
      } catch {
        // not ours: keep walking up
      }
    }
    const parent = dirname(directory);
    if (parent === directory) throw new NativeAddonError("Cannot find strom's package root to load the native addon.");
    directory = parent;
  }
}

/**
 * Path of the addon this thread loads: $STROM_ADDON_PATH when set, else what node-gyp-build
 * finds in strom's package root: a build from source first (build/Release, then build/Debug),
 * then the prebuilt binary for this platform (prebuilds/<platform>-<arch>/strom.glibc.node).
 * Throws {@link NativeAddonError}, saying how to build one, when nothing matches.
 */
export function nativeAddonPath(): string {
  const override = process.env.STROM_ADDON_PATH;
  if (override) {
    const path = resolve(override);
    if (!existsSync(path)) {
      throw new NativeAddonError(
        `strom's native addon was not found at ${path} (set by STROM_ADDON_PATH). Point STROM_ADDON_PATH at a built ` +
          'strom_native.node or unset it; in a strom checkout `npm install` or `npm run build:native` builds build/Release/strom_native.node.',
      );
    }
    return path;
  }
  const root = packageRoot();
  // node-gyp-build's first choice, checked without loading it (every task-slot thread loads the addon).
  const release = join(root, 'build', 'Release', 'strom_native.node');
  if (existsSync(release)) return release;
  const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as NodeGypBuild;
  try {
    return nodeGypBuild.path(root);
  } catch (cause) {
    throw new NativeAddonError(
      `strom's native addon has no prebuilt binary for ${process.platform}-${process.arch} and was not built from source in ${root}. ` +
        'Build it from source with `npm rebuild strom` in your project (needs python3, make and a C++20 compiler such as g++ 10+ or clang 12+; ' +
        "if your npm does not run strom's install script, allow it first with `npm install-scripts approve strom`). " +
        'In a strom checkout run `npm run build:native`.',
      cause,
    );
  }
}

let loaded: NativeAddon | undefined;

/**
 * Loads the addon (once per thread) and registers strom's error classes with it.
 * Throws {@link NativeAddonError} when no addon is found or it cannot be loaded.
 */
export function loadNativeAddon(): NativeAddon {
  if (loaded) return loaded;
  const path = nativeAddonPath();
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (cause) {
    throw new NativeAddonError(
      `strom's native addon at ${path} could not be loaded (built for another platform, or a Node without Node-API 9?). ` +
        'Rebuild it with `npm rebuild strom` in your project, or `npm run build:native` in a strom checkout.',
      cause,
    );
  }
  addon.registerErrorClasses({ InsufficientNetworkBuffersError, ManagedMemoryExceededError, CorruptRecordError, NativeAddonError });
  loaded = addon;
  return addon;
}
