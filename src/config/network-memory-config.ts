/**
 * Resolves the network memory settings into segment counts, and checks that a set of producer
 * pools fits into them.
 *
 * ## How strom sizes network memory (Flink's rules, `TaskExecutorResourceUtils` /
 * `TaskExecutorFlinkMemoryUtils`)
 * - **Without `taskmanager.memory.process.size`** (Flink's local execution, the MiniCluster):
 *   network memory has one fixed size. If only one of `taskmanager.memory.network.min` / `.max`
 *   is set, the other takes the same value; if neither is set, both are 64mb; if both are set
 *   they must be equal (Flink rejects a range it cannot resolve without a process size, and so
 *   does strom). The fraction is not used.
 * - **With `taskmanager.memory.process.size`** (Flink's cluster rule):
 *   `network = clamp(floor(fraction x process.size), min, max)` with min defaulting to 64mb and
 *   max to unbounded (Flink 2's default), each bound independent. Flink applies the fraction to
 *   "total Flink memory"; strom has no JVM overhead to subtract, so it uses process.size.
 *
 * The byte count is rounded **down** to a whole number of segments (Flink instead rejects sizes
 * that are not a multiple); `networkMemoryBytes` reports the rounded value.
 *
 * ## The ceiling strom can allocate
 * All network memory is one SharedArrayBuffer whose layout (native/core/network_memory_layout.h)
 * uses int32 byte offsets, so segments plus bookkeeping (a 64-byte header, the local pool table,
 * the subpartition counters and a 16-byte descriptor per segment) must stay below 2 GiB: at most
 * {@link maxNetworkSegments} segments, about 2046mb of 32kb segments. (A SharedArrayBuffer itself
 * may be larger on 64-bit Node; the int32 offsets are the limit.) A size beyond it is a
 * ConfigurationError naming the key that asked for it and the allowed range.
 *
 * ## Producer pools
 * A producer's (result partition's) local pool needs at least
 * `numSubpartitions x buffers-per-channel + min(1, floating-buffers-per-gate)` segments and may
 * grow to `numSubpartitions x buffers-per-channel + floating-buffers-per-gate`. (Flink's
 * partition minimum is `numSubpartitions + 1`; strom guarantees each subpartition its
 * buffers-per-channel because local consumers read the producer's buffers directly.)
 *
 * Depends on: configuration, config-options, memory-size, ../errors.
 */

import { errors } from '../errors.js';
import type { Configuration } from './configuration.js';
import {
  MEMORY_SEGMENT_SIZE,
  NETWORK_BUFFERS_PER_CHANNEL,
  NETWORK_FLOATING_BUFFERS_PER_GATE,
  NETWORK_MAX_BUFFERS_PER_CHANNEL,
  NETWORK_MEMORY_FRACTION,
  NETWORK_MEMORY_MAX,
  NETWORK_MEMORY_MIN,
  TOTAL_PROCESS_MEMORY,
} from './config-options.js';
import { formatMemorySize } from './memory-size.js';

/** Network memory as segment counts; the input of the network buffer pool. */
export interface NetworkMemoryConfig {
  /** Bytes per segment (`taskmanager.memory.segment-size`). */
  readonly segmentSize: number;
  /** Segments in the network buffer pool. */
  readonly numSegments: number;
  /** numSegments x segmentSize (the configured size rounded down to whole segments). */
  readonly networkMemoryBytes: number;
  /** Guaranteed buffers per output channel. */
  readonly buffersPerChannel: number;
  /** Floating buffers per pool. */
  readonly floatingBuffersPerGate: number;
  /** Most buffers one output channel may hold. */
  readonly maxBuffersPerChannel: number;
}

/**
 * Bytes the network memory layout may span: offsets are int32, so strictly less than 2^31
 * (`kMaxTotalBytes` in native/core/network_memory_layout.h).
 */
const MAX_LAYOUT_BYTES = 2 ** 31;
/** Bytes of bookkeeping per segment: its descriptor (`kDescriptorWords` = 4 int32 words). */
const DESCRIPTOR_BYTES = 16;
/**
 * An upper bound of the fixed bookkeeping: header (256 bytes), the local pool table (256 pools x
 * 64 bytes), the subpartition counters (4096 x 4 bytes) and alignment padding; 33 KiB today,
 * 64 KiB leaves room. A test checks the ceiling against the real addon.
 */
const FIXED_BOOKKEEPING_BYTES = 64 * 1024;

/** Most segments of `segmentSize` bytes that one TaskManager's network memory can hold. */
export function maxNetworkSegments(segmentSize: number): number {
  return Math.floor((MAX_LAYOUT_BYTES - FIXED_BOOKKEEPING_BYTES) / (segmentSize + DESCRIPTOR_BYTES));
}

/** The fixed size of local execution: min and max follow each other, and must agree when both are set. */
function localNetworkMemory(config: Configuration): { bytes: number; key: string } {
  const minSet = config.contains(NETWORK_MEMORY_MIN);
  const maxSet = config.contains(NETWORK_MEMORY_MAX);
  const min = config.get(NETWORK_MEMORY_MIN);
  const max = config.get(NETWORK_MEMORY_MAX);
  if (maxSet && !minSet) return { bytes: max!, key: NETWORK_MEMORY_MAX.key };
  if (minSet && maxSet && min !== max) {
    throw errors.conflictingConfig(
      NETWORK_MEMORY_MIN.key,
      `'${NETWORK_MEMORY_MIN.key}' (${formatMemorySize(min)}) and '${NETWORK_MEMORY_MAX.key}' (${formatMemorySize(max!)}) ` +
        `differ, but without '${TOTAL_PROCESS_MEMORY.key}' network memory has one fixed size (as in Flink's local execution): ` +
        `set both to the same value, set only one of them, or set '${TOTAL_PROCESS_MEMORY.key}' to derive the size ` +
        `from '${NETWORK_MEMORY_FRACTION.key}'`,
    );
  }
  return { bytes: min, key: NETWORK_MEMORY_MIN.key };
}

/** Flink's cluster rule: fraction x process size, clamped to [min, max]; max unbounded by default. */
function fractionNetworkMemory(config: Configuration, processSize: number): { bytes: number; key: string } {
  const min = config.get(NETWORK_MEMORY_MIN);
  const max = config.get(NETWORK_MEMORY_MAX) ?? Number.MAX_SAFE_INTEGER;
  if (min > max) {
    throw errors.conflictingConfig(
      NETWORK_MEMORY_MIN.key,
      `'${NETWORK_MEMORY_MIN.key}' (${formatMemorySize(min)}) must not be larger than ` +
        `'${NETWORK_MEMORY_MAX.key}' (${formatMemorySize(max)})`,
    );
  }
  const fromFraction = Math.floor(config.get(NETWORK_MEMORY_FRACTION) * processSize);
  if (fromFraction < min) return { bytes: min, key: NETWORK_MEMORY_MIN.key };
  if (fromFraction > max) return { bytes: max, key: NETWORK_MEMORY_MAX.key };
  return { bytes: fromFraction, key: TOTAL_PROCESS_MEMORY.key };
}

/**
 * Computes the network memory from `config` (see the module comment for the rule).
 * @throws ConfigurationError naming the key(s) at fault: a segment size that is not a power of
 *   two in range, network.min and network.max that contradict each other, network memory
 *   smaller than one segment or larger than strom can allocate, max-buffers-per-channel <
 *   buffers-per-channel.
 */
export function resolveNetworkMemory(config: Configuration): NetworkMemoryConfig {
  const segmentSize = config.get(MEMORY_SEGMENT_SIZE);
  // Configuration validates on set; re-checked so a hand-built option cannot slip through.
  if (!MEMORY_SEGMENT_SIZE.isValid(segmentSize)) {
    throw errors.invalidConfig(MEMORY_SEGMENT_SIZE.key, segmentSize, MEMORY_SEGMENT_SIZE.accepted);
  }

  const processSize = config.get(TOTAL_PROCESS_MEMORY);
  const { bytes, key } = processSize === undefined ? localNetworkMemory(config) : fractionNetworkMemory(config, processSize);

  const numSegments = Math.floor(bytes / segmentSize);
  const maxSegments = maxNetworkSegments(segmentSize);
  if (numSegments < 1 || numSegments > maxSegments) {
    const what = key === TOTAL_PROCESS_MEMORY.key ? `'${NETWORK_MEMORY_FRACTION.key}' x '${TOTAL_PROCESS_MEMORY.key}'` : `'${key}'`;
    // The upper end rounded down to whole MiB reads better and stays inside the range.
    const maxBytes = maxSegments * segmentSize;
    const upper = maxBytes >= 2 ** 20 ? Math.floor(maxBytes / 2 ** 20) * 2 ** 20 : maxBytes;
    const range = `${formatMemorySize(segmentSize)} (one segment) to ${formatMemorySize(upper)} (at most ${maxSegments} segments of ${formatMemorySize(segmentSize)})`;
    const detail =
      numSegments < 1
        ? `network memory of ${formatMemorySize(bytes)} (from ${what}) is smaller than one segment ` +
          `('${MEMORY_SEGMENT_SIZE.key}' = ${formatMemorySize(segmentSize)}); increase ` +
          `'${NETWORK_MEMORY_MIN.key}' / '${NETWORK_MEMORY_MAX.key}' or lower '${MEMORY_SEGMENT_SIZE.key}'`
        : `network memory of ${formatMemorySize(bytes)} (from ${what}) is more than strom can allocate: ` +
          `all network buffers and their bookkeeping share one buffer addressed with int32 offsets, below 2 GiB`;
    throw errors.conflictingConfig(key, `${detail}. Allowed: ${range}`);
  }

  const buffersPerChannel = config.get(NETWORK_BUFFERS_PER_CHANNEL);
  const maxBuffersPerChannel = config.get(NETWORK_MAX_BUFFERS_PER_CHANNEL);
  if (maxBuffersPerChannel < buffersPerChannel) {
    throw errors.conflictingConfig(
      NETWORK_MAX_BUFFERS_PER_CHANNEL.key,
      `'${NETWORK_MAX_BUFFERS_PER_CHANNEL.key}' (${maxBuffersPerChannel}) must be at least ` +
        `'${NETWORK_BUFFERS_PER_CHANNEL.key}' (${buffersPerChannel})`,
    );
  }

  return Object.freeze({
    segmentSize,
    numSegments,
    networkMemoryBytes: numSegments * segmentSize,
    buffersPerChannel,
    floatingBuffersPerGate: config.get(NETWORK_FLOATING_BUFFERS_PER_GATE),
    maxBuffersPerChannel,
  });
}

/** Minimum and maximum segments of one producer's local buffer pool. */
export interface PoolSize {
  /** Segments the pool must be able to get; creating it fails if they are not available. */
  readonly min: number;
  /** Segments the pool may grow to when spare segments exist. */
  readonly max: number;
}

/**
 * Pool bounds of a producer with `numSubpartitions` output channels:
 * min = n x buffers-per-channel + min(1, floating), max = n x buffers-per-channel + floating.
 */
export function producerPoolSize(
  numSubpartitions: number,
  network: Pick<NetworkMemoryConfig, 'buffersPerChannel' | 'floatingBuffersPerGate'>,
): PoolSize {
  if (!Number.isSafeInteger(numSubpartitions) || numSubpartitions < 1) {
    throw errors.argumentOutOfRange('numSubpartitions', numSubpartitions, 'expected a positive integer');
  }
  const guaranteed = numSubpartitions * network.buffersPerChannel;
  return {
    min: guaranteed + Math.min(1, network.floatingBuffersPerGate),
    max: guaranteed + network.floatingBuffersPerGate,
  };
}

/**
 * Segments required at minimum by producers with the given subpartition counts (one entry per
 * producer pool; a single number means one pool).
 */
export function requiredSegmentsForChannels(
  numSubpartitions: number | readonly number[],
  network: Pick<NetworkMemoryConfig, 'buffersPerChannel' | 'floatingBuffersPerGate'>,
): number {
  if (typeof numSubpartitions === 'number') return producerPoolSize(numSubpartitions, network).min;
  let total = 0;
  for (const n of numSubpartitions) total += producerPoolSize(n, network).min;
  return total;
}

/**
 * Checks that producers with the given subpartition counts fit into the network memory, before
 * any pool is created, so a job fails at submission with Flink's message rather than midway.
 * @param alreadyRequired segments already promised to other pools (default 0).
 * @throws InsufficientNetworkBuffersError ("Insufficient number of network buffers: required N,
 *   but only M available ...", naming the keys to raise).
 */
export function checkNetworkMemoryFor(
  numSubpartitions: number | readonly number[],
  network: NetworkMemoryConfig,
  alreadyRequired = 0,
): void {
  const required = requiredSegmentsForChannels(numSubpartitions, network);
  const available = Math.max(0, network.numSegments - alreadyRequired);
  if (required > available) {
    throw errors.insufficientNetworkBuffers(required, available, network.numSegments, network.segmentSize);
  }
}
