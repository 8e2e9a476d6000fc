/**
 * Key groups: Flink's `KeyGroupRangeAssignment` and the `MathUtils` it uses.
 *
 * Mirrors `flink-runtime/src/main/java/org/apache/flink/runtime/state/KeyGroupRangeAssignment.java`
 * and `flink-core/src/main/java/org/apache/flink/util/MathUtils.java` (`murmurHash`,
 * `roundUpToPowerOfTwo`). A key goes to key group `murmurHash(hashCode(key)) % maxParallelism`,
 * and key group g to subtask `g * parallelism / maxParallelism`; so key groups are contiguous
 * ranges per subtask and are the unit in which keyed state moves when parallelism changes.
 * Verified against a Java oracle (tools/flink-keygroups, fixture test/io/fixtures/flink-key-groups.json).
 *
 * The `...Unchecked` functions are the per-record hot path: no argument checks, no allocation.
 * The checked ones validate and throw `RangeError`s with the bounds.
 *
 * Depends on: key-hash, ../errors.
 */

import { errors } from '../errors.js';
import { javaHashCode } from './key-hash.js';

/** Lower bound of the derived default max parallelism (Flink: `DEFAULT_LOWER_BOUND_MAX_PARALLELISM`). */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;
/** Inclusive upper bound of (max) parallelism (Flink: `UPPER_BOUND_MAX_PARALLELISM`, 2^15). */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/** An inclusive range of key groups, `[start, end]`; empty when end < start. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Flink's `MathUtils.murmurHash(int)`: the murmur3 32-bit mix of one int, made non-negative
 * (absolute value; `Integer.MIN_VALUE` maps to 0).
 */
export function murmurHash(code: number): number {
  code = Math.imul(code, 0xcc9e2d51);
  code = (code << 15) | (code >>> 17);
  code = Math.imul(code, 0x1b873593);
  code = (code << 13) | (code >>> 19);
  code = (Math.imul(code, 5) + 0xe6546b64) | 0;
  code ^= 4;
  code ^= code >>> 16;
  code = Math.imul(code, 0x85ebca6b);
  code ^= code >>> 13;
  code = Math.imul(code, 0xc2b2ae35);
  code ^= code >>> 16;
  if (code >= 0) return code;
  return code === -2147483648 ? 0 : -code;
}

/** Flink's `MathUtils.roundUpToPowerOfTwo(int)` (int32 arithmetic; 0 -> 0). */
export function roundUpToPowerOfTwo(x: number): number {
  x = (x - 1) | 0;
  x |= x >> 1;
  x |= x >> 2;
  x |= x >> 4;
  x |= x >> 8;
  x |= x >> 16;
  return (x + 1) | 0;
}

function checkMaxParallelism(maxParallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw errors.argumentOutOfRange('maxParallelism', maxParallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
  }
}

function checkParallelism(maxParallelism: number, parallelism: number): void {
  checkMaxParallelism(maxParallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw errors.argumentOutOfRange(
      'parallelism',
      parallelism,
      `expected an integer from 1 to maxParallelism (${maxParallelism})`,
    );
  }
}

/** Key group of a key hash: `murmurHash(keyHash) % maxParallelism`. */
export function computeKeyGroupForKeyHash(keyHash: number, maxParallelism: number): number {
  checkMaxParallelism(maxParallelism);
  return murmurHash(keyHash) % maxParallelism;
}

/**
 * Key group of a key, using its Java hashCode (see key-hash.ts for the JS -> Java mapping).
 * @throws TypeError for a null/undefined key (almost always a key selector reading a missing field).
 */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  checkKey(key);
  checkMaxParallelism(maxParallelism);
  return murmurHash(javaHashCode(key)) % maxParallelism;
}

/** Subtask that owns a key group: `keyGroup * parallelism / maxParallelism` (integer division). */
export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  checkParallelism(maxParallelism, parallelism);
  if (!Number.isInteger(keyGroup) || keyGroup < 0 || keyGroup >= maxParallelism) {
    throw errors.argumentOutOfRange('keyGroup', keyGroup, `expected an integer from 0 to ${maxParallelism - 1}`);
  }
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/**
 * Subtask index (0-based) a key is routed to.
 * @throws TypeError for a null/undefined key; RangeError for bad parallelism bounds.
 */
export function assignKeyToParallelOperator(key: unknown, maxParallelism: number, parallelism: number): number {
  checkKey(key);
  checkParallelism(maxParallelism, parallelism);
  return assignKeyToParallelOperatorUnchecked(key, maxParallelism, parallelism);
}

/**
 * Hot-path version of {@link assignKeyToParallelOperator}: the caller has validated
 * `1 <= parallelism <= maxParallelism <= 32768` once. Still rejects a null key (TypeError).
 */
export function assignKeyToParallelOperatorUnchecked(key: unknown, maxParallelism: number, parallelism: number): number {
  if (key == null) checkKey(key);
  const keyGroup = murmurHash(javaHashCode(key)) % maxParallelism;
  // keyGroup * parallelism < 2^30, so the division is exact integer arithmetic.
  return ((keyGroup * parallelism) / maxParallelism) | 0;
}

/**
 * Key groups owned by subtask `operatorIndex`, inclusive:
 * start = (i * maxP + p - 1) / p, end = ((i + 1) * maxP - 1) / p (integer division).
 * Empty (end < start) only when parallelism > maxParallelism, which the checks forbid.
 */
export function computeKeyGroupRangeForOperatorIndex(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  checkParallelism(maxParallelism, parallelism);
  if (!Number.isInteger(operatorIndex) || operatorIndex < 0 || operatorIndex >= parallelism) {
    throw errors.argumentOutOfRange('operatorIndex', operatorIndex, `expected an integer from 0 to ${parallelism - 1}`);
  }
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

/**
 * Default max parallelism for an operator parallelism:
 * `min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)`; 128 for p <= 85.
 */
export function computeDefaultMaxParallelism(parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw errors.argumentOutOfRange('parallelism', parallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
  }
  return Math.min(
    Math.max(roundUpToPowerOfTwo(parallelism + (parallelism >> 1)), DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
    UPPER_BOUND_MAX_PARALLELISM,
  );
}

function checkKey(key: unknown): void {
  if (key == null) {
    throw errors.invalidArgumentType(
      'key',
      key,
      'assigned key must not be null or undefined (does the key selector read a field that exists?)',
    );
  }
}
