import { StromError } from '../errors.js';
import { loadNativeAddon, type NativeNetworkBufferPool, type NetworkPoolStats, type LocalPoolStats } from '../native/addon.js';
import { HEADER_RECYCLE_EPOCH, HEADER_WAITERS } from './network-memory-layout.js';

/** Spins on an empty pool before sleeping; a wait/notify round trip costs ~45 µs here. */
const SPINS_BEFORE_SLEEP = 64;
/** One sleep slice in ms; the waiter re-checks cancellation between slices. */
const WAIT_SLICE_MS = 50;

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
 * What a thread may do while it waits for a segment or for ring space, instead of only sleeping.
 * Several tasks share a worker thread, and the task that would free the segment may be one of
 * them: `help` runs the other tasks of the thread for a while (returns true if any progressed),
 * so a wait never blocks the thread a consumer needs. `cancelled` ends the wait for a cancelled
 * or failed job.
 */
export interface WaitHooks {
  cancelled?(): boolean;
  help?(): boolean;
}

/** Where a producer's waiting time is added up (back-pressured time). */
export interface WaitStats {
  /** Nanoseconds spent waiting for a segment. */
  backPressuredNs: number;
}

/**
 * Flink's NetworkBufferPool for one TaskManager: all network memory in one SharedArrayBuffer,
 * split into segments, with the accounting done by the C++ addon on words inside the buffer.
 * Every thread that moves records attaches its own instance to the same buffer.
 *
 * This facade adds what native code cannot do: sleeping with `Atomics.wait` until a segment is
 * recycled (V8's waiters are not OS futexes, so C++ bumps the epoch and JS notifies).
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
   * A segment for `subpartition` of `poolId`, waiting until one is recycled (hard backpressure).
   * Spins briefly, then sleeps on the recycle epoch; time waited goes to `stats`.
   * `hooks.help` runs other tasks of this thread before each sleep; `hooks.cancelled` is checked
   * between sleep slices so a cancelled job never hangs here.
   */
  requestSegment(poolId: number, subpartition: number, stats?: WaitStats, hooks?: WaitHooks): number {
    const native = this.#native;
    let segment = native.requestSegment(poolId, subpartition);
    if (segment >= 0) return segment;
    const started = process.hrtime.bigint();
    for (let spin = 0; spin < SPINS_BEFORE_SLEEP; spin++) {
      segment = native.requestSegment(poolId, subpartition);
      if (segment >= 0) break;
    }
    if (segment < 0) {
      const words = this.words;
      // Register as a waiter before reading the epoch: a recycle after our failed attempt
      // either changes the epoch (the wait returns at once) or sees us and notifies.
      Atomics.add(words, HEADER_WAITERS, 1);
      try {
        for (;;) {
          const epoch = Atomics.load(words, HEADER_RECYCLE_EPOCH);
          segment = native.requestSegment(poolId, subpartition);
          if (segment >= 0) break;
          if (hooks?.cancelled?.()) {
            throw new StromError('ERR_CANCELLED', 'Cancelled while waiting for a network buffer');
          }
          if (hooks?.help?.()) continue;
          Atomics.wait(words, HEADER_RECYCLE_EPOCH, epoch, WAIT_SLICE_MS);
        }
      } finally {
        Atomics.sub(words, HEADER_WAITERS, 1);
      }
    }
    if (stats) stats.backPressuredNs += Number(process.hrtime.bigint() - started);
    return segment;
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
