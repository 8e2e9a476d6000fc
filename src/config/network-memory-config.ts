/**
 * Resolves the network memory settings into segment counts, and checks that a set of producer
 * pools fits into them.
 *
 * ## How strom sizes network memory
 * Mirroring Flink's local execution (`TaskExecutorResourceUtils`): if only one of
 * `taskmanager.memory.network.min` / `.max` is set, the other takes the same value; both default
 * to 64mb. Then
 * - with `taskmanager.memory.process.size` set:
 *   `network = clamp(floor(fraction x process.size), min, max)` (Flink applies the fraction to
 *   "total Flink memory"; strom has no JVM overhead to subtract, so it uses process.size);
 * - without it: `network = min`. strom allocates all network memory up front, so with no budget
 *   to take a fraction of it allocates the guaranteed floor, not the ceiling.
 *
 * The byte count is rounded **down** to a whole number of segments (Flink instead rejects sizes
 * that are not a multiple); `networkMemoryBytes` reports the rounded value.
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

/** Largest segment count strom supports (segment indexes are int32). */
const MAX_SEGMENTS = 0x7fffffff;

/**
 * Computes the network memory from `config` (see the module comment for the rule).
 * @throws ConfigurationError naming the key(s) at fault: a segment size that is not a power of
 *   two in range, network.min > network.max, network memory smaller than one segment,
 *   max-buffers-per-channel < buffers-per-channel.
 */
export function resolveNetworkMemory(config: Configuration): NetworkMemoryConfig {
  const segmentSize = config.get(MEMORY_SEGMENT_SIZE);
  // Configuration validates on set; re-checked so a hand-built option cannot slip through.
  if (!MEMORY_SEGMENT_SIZE.isValid(segmentSize)) {
    throw errors.invalidConfig(MEMORY_SEGMENT_SIZE.key, segmentSize, MEMORY_SEGMENT_SIZE.accepted);
  }

  let min = config.get(NETWORK_MEMORY_MIN);
  let max = config.get(NETWORK_MEMORY_MAX);
  const minSet = config.contains(NETWORK_MEMORY_MIN);
  const maxSet = config.contains(NETWORK_MEMORY_MAX);
  if (minSet && !maxSet) max = min;
  if (maxSet && !minSet) min = max;
  if (min > max) {
    throw errors.conflictingConfig(
      NETWORK_MEMORY_MIN.key,
      `'${NETWORK_MEMORY_MIN.key}' (${formatMemorySize(min)}) must not be larger than ` +
        `'${NETWORK_MEMORY_MAX.key}' (${formatMemorySize(max)})`,
    );
  }

  const processSize = config.get(TOTAL_PROCESS_MEMORY);
  let bytes: number;
  if (processSize === undefined) {
    bytes = min;
  } else {
    const fromFraction = Math.floor(config.get(NETWORK_MEMORY_FRACTION) * processSize);
    bytes = Math.min(Math.max(fromFraction, min), max);
  }

  const numSegments = Math.floor(bytes / segmentSize);
  if (numSegments < 1) {
    throw errors.conflictingConfig(
      NETWORK_MEMORY_MIN.key,
      `network memory of ${formatMemorySize(bytes)} is smaller than one segment ` +
        `('${MEMORY_SEGMENT_SIZE.key}' = ${formatMemorySize(segmentSize)}); increase ` +
        `'${NETWORK_MEMORY_MIN.key}' / '${NETWORK_MEMORY_MAX.key}' or lower '${MEMORY_SEGMENT_SIZE.key}'`,
    );
  }
  if (numSegments > MAX_SEGMENTS) {
    throw errors.conflictingConfig(
      NETWORK_MEMORY_MAX.key,
      `network memory of ${formatMemorySize(bytes)} is more than ${MAX_SEGMENTS} segments of ` +
        `${formatMemorySize(segmentSize)}; lower '${NETWORK_MEMORY_MAX.key}' or raise '${MEMORY_SEGMENT_SIZE.key}'`,
    );
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
