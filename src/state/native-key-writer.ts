/**
 * Writes the current key of a NativeKeyedStateBackend into the scratch (native-scratch.ts), as
 * its key serializer would, and says who computes the key group. STRING, DOUBLE, LONG and
 * BOOLEAN keys are written straight into the scratch (no serializer call) and hashed by the
 * store from their bytes (native/core/key_hash.h, bit-exact with src/io/key-hash.ts); any other
 * key type goes through its serializer and its key group is computed here. A key that does not
 * match the declared type takes the serializer path, which names the problem.
 *
 * Depends on: ../io, ../types, ./native-scratch.
 */
import { computeKeyGroupForKeyHash } from '../io/key-group-assignment.js';
import { javaHashCode } from '../io/key-hash.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { IO_AT, type NativeScratch } from './native-scratch.js';

/** Key kinds of KeyedStateStore.setKeyRouting. */
export const KeyKind = { GIVEN_GROUP: 0, STRING: 1, DOUBLE: 2, LONG: 3, BOOLEAN: 4 } as const;

export interface NativeKeyWriter<K> {
  /** KeyKind the store is told: GIVEN_GROUP when `write` returns the key group itself. */
  readonly kind: number;
  readonly serializer: TypeSerializer<K>;
  /**
   * Writes `key` at IO_AT (growing the scratch's `out` if needed; the caller syncs) and returns
   * its length; `keyGroup` receives the key group for GIVEN_GROUP keys.
   */
  write(key: K, scratch: NativeScratch): number;
  /** The key group of `key` when kind is GIVEN_GROUP (else the store computes it). */
  keyGroup(key: K): number;
}

const KINDS: Readonly<Record<string, number>> = { STRING: KeyKind.STRING, DOUBLE: KeyKind.DOUBLE, LONG: KeyKind.LONG, BOOLEAN: KeyKind.BOOLEAN };

export function nativeKeyWriter<K>(keyType: TypeInformation<unknown> | undefined, maxParallelism: number): NativeKeyWriter<K> {
  const type = keyType ?? Types.GENERIC;
  const serializer = type.createSerializer() as TypeSerializer<K>;
  const kind = KINDS[type.name] ?? KeyKind.GIVEN_GROUP;
  const viaSerializer = (key: K, scratch: NativeScratch): number => {
    const out = scratch.out;
    out.pos = IO_AT;
    serializer.write(key, out);
    return out.pos - IO_AT;
  };
  const keyGroup = (key: K): number => computeKeyGroupForKeyHash(javaHashCode(key), maxParallelism);
  switch (kind) {
    case KeyKind.STRING:
      return {
        kind,
        serializer,
        keyGroup,
        write: (key, scratch) => {
          if (typeof key !== 'string') return viaSerializer(key, scratch);
          const out = scratch.out;
          out.pos = IO_AT;
          out.writeString(key);
          return out.pos - IO_AT;
        },
      };
    case KeyKind.DOUBLE:
      return {
        kind,
        serializer,
        keyGroup,
        write: (key, scratch) => {
          if (typeof key !== 'number') return viaSerializer(key, scratch);
          // One key for -0 and 0 and one for every NaN, as a JS Map (the heap backend) sees them.
          scratch.f64[IO_AT >> 3] = key === 0 ? 0 : key !== key ? Number.NaN : key;
          return 8;
        },
      };
    case KeyKind.LONG:
      return {
        kind,
        serializer,
        keyGroup,
        write: (key, scratch) => {
          if (typeof key !== 'bigint' || BigInt.asIntN(64, key) !== key) return viaSerializer(key, scratch);
          scratch.i64[IO_AT >> 3] = key;
          return 8;
        },
      };
    default:
      return { kind, serializer, keyGroup, write: viaSerializer };
  }
}
