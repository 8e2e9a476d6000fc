import { loadNativeAddon, type NativeNetworkBufferPool, type NetworkPoolStats, type LocalPoolStats } from '../native/addon.js';
import { HEADER_RECYCLE_EPOCH, HEADER_WAITERS } from './network-memory-layout.js';
import { whenWordChanges } from './word-change.js';

/** Sizing of the network memory of one TaskManager. */
export interface NetworkMemoryOptions {
  /** Bytes per segment (`taskmanager.memory.segment-size`); a power of two. */
  segmentSize: number;
  /** Number of segments (network memory / segment size). */
  numSegments: number;
  /** Local buffer pools that may exist at once (one per producer subtask). Default 256. */
  maxLocalPools?: number;
  /** Per-subpartition counters shared by all local pools. Default 4096. */
  numSubpartitionCounters?: number;
}

/**
 * Flink's NetworkBufferPool for one TaskManager: all network memory in one SharedArrayBuffer,
 * split into segments, with the accounting done by the C++ addon on words inside the buffer.
 * Every thread that moves records attaches its own instance to the same buffer.
 *
 * This facade adds what native code cannot do: waking JS waiters when a segment is recycled
 * (V8's waiters are not OS futexes, so C++ bumps the epoch and JS notifies). Nothing here blocks
 * a thread: a producer that gets no segment keeps its output aside and awaits `whenRecycled`.
 */
export class NetworkBufferPool {
  /** The shared network memory; send it to worker threads and `attach` there. */
  readonly buffer: SharedArrayBuffer;
  /** Byte view over the whole network memory (a Buffer, for fast UTF-8 and copies). */
  readonly buf: Buffer;
  /** DataView over the whole network memory. */
  readonly view: DataView;
  /** Int32 view over the whole network memory (header words, futex word). */
  readonly words: Int32Array;
  /** Bytes per segment. */
  readonly segmentSize: number;
  /** Number of segments. */
  readonly numSegments: number;
  /** Byte offset of segment 0. */
  readonly segmentsOffset: number;
  readonly #native: NativeNetworkBufferPool;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.buf = Buffer.from(buffer);
    this.view = new DataView(buffer);
    this.words = new Int32Array(buffer);
    this.#native = new (loadNativeAddon().NetworkBufferPool)(new Uint8Array(buffer));
    const s = this.#native.stats();
    this.segmentSize = s.segmentSize;
    this.numSegments = s.totalSegments;
    this.segmentsOffset = s.segmentsOffset;
  }

  /** Allocates and formats the network memory; throws RangeError on a bad size. */
  static create(options: NetworkMemoryOptions): NetworkBufferPool {
    const addon = loadNativeAddon();
    const layoutOptions = {
      segmentSize: options.segmentSize,
      numSegments: options.numSegments,
      maxLocalPools: options.maxLocalPools ?? 256,
      numSubpartitionCounters: options.numSubpartitionCounters ?? 4096,
    };
    const layout = addon.networkMemoryLayout(layoutOptions);
    const buffer = new SharedArrayBuffer(layout.byteLength);
    addon.formatNetworkMemory(new Uint8Array(buffer), layoutOptions);
    return new NetworkBufferPool(buffer);
  }

  /** Attaches to network memory created by `create` (in this or another thread). */
  static attach(buffer: SharedArrayBuffer): NetworkBufferPool {
    return new NetworkBufferPool(buffer);
  }

  /** Byte offset of segment `index` in `buf`/`view`. */
  segmentOffset(index: number): number {
    return this.segmentsOffset + index * this.segmentSize;
  }

  /**
   * Creates a local buffer pool for one producer with `numSubpartitions` outgoing channels.
   * Throws InsufficientNetworkBuffersError when its required minimum does not fit.
   */
  createLocalPool(numSubpartitions: number, exclusivePerSubpartition: number, maxFloating: number, maxPerSubpartition: number): number {
    return this.#native.createLocalPool(numSubpartitions, exclusivePerSubpartition, maxFloating, maxPerSubpartition);
  }

  /** Destroys a local pool; with `force`, reclaims segments it still holds (after a failure). */
  destroyLocalPool(poolId: number, force = false): number {
    return this.#native.destroyLocalPool(poolId, force);
  }

  /** A segment for `subpartition` of `poolId`, or a negative status when none is available now. */
  tryRequestSegment(poolId: number, subpartition: number): number {
    return this.#native.requestSegment(poolId, subpartition);
  }

  /**
   * Settles once a segment may have been recycled since the call, or after `timeoutMs`: the
   * wake-up of a producer that got no segment (Flink's `LocalBufferPool.getAvailableFuture`),
   * without blocking the thread. `retry` runs after the waiter is registered and before the
   * wait (it retries the requests the caller needs): when it returns true the promise settles at
   * once. A recycle after `retry` bumps RECYCLE_EPOCH, so the wait either sees a new epoch or is
   * notified by the recycler (which sees this waiter in WAITERS: both sides are seq_cst).
   */
  whenRecycled(retry: () => boolean, timeoutMs: number): Promise<void> {
    const words = this.words;
    Atomics.add(words, HEADER_WAITERS, 1);
    const epoch = Atomics.load(words, HEADER_RECYCLE_EPOCH);
    return whenWordChanges(words, HEADER_RECYCLE_EPOCH, epoch, timeoutMs, retry, () => {
      Atomics.sub(words, HEADER_WAITERS, 1);
    });
  }

  /** Returns a segment to the pool and wakes producers waiting for one. */
  recycleSegment(index: number): void {
    if (this.#native.recycleSegment(index) > 0) Atomics.notify(this.words, HEADER_RECYCLE_EPOCH);
  }

  /** Global counters: total, available and used segments, high-water mark. */
  stats(): NetworkPoolStats {
    return this.#native.stats();
  }

  /** Counters of one local pool. */
  localPoolStats(poolId: number): LocalPoolStats {
    return this.#native.localPoolStats(poolId);
  }
}
