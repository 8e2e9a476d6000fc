/**
 * The keys JS-held keyed state accepts, and how a tuple key becomes one Map key (used by
 * js-keyed-state.ts and the heap keyed state backend).
 *
 * Supported keys: string, number, bigint, boolean, and arrays (tuples) of those, where tuple
 * fields may also be null/undefined or nested tuples. Keys compare like a JS `Map`
 * (SameValueZero: NaN equals NaN, -0 equals 0; `1` and `1n` differ) except that tuples compare
 * by value: `['a', 1]` and a fresh `['a', 1]` are one key.
 *
 * A tuple key is turned into a canonical string (one allocation, linear in its size): every
 * field is a self-delimiting token (`s<len>:<chars>`, `n<number>;`, `b<bigint>;`, `T`, `F`, `N`
 * null, `U` undefined, `[<len>:` nested tuple), so two tuples get the same string iff their
 * fields are SameValueZero-equal. Callers keep tuple keys in a Map apart from primitive keys, so
 * a string key never collides with a tuple's canonical string.
 *
 * Objects (even with a `hashCode()` method, which key-hash.ts can route) are rejected: a JS Map
 * compares them by identity, which does not survive a snapshot.
 *
 * Depends on: ../errors.
 */

import { errors } from '../errors.js';

/** A field of a tuple key. */
export type JsKeyField = string | number | bigint | boolean | null | undefined | readonly JsKeyField[];
/** A key of JS-held keyed state: a primitive or an array (tuple) compared by value. */
export type JsKey = string | number | bigint | boolean | readonly JsKeyField[];

/** Nesting depth beyond which a tuple key is rejected (also stops cycles). */
export const MAX_KEY_DEPTH = 32;

/** Whether `key` is a primitive key (a Map key as is); anything else must be a tuple. */
export function isPrimitiveKey(key: unknown): key is string | number | bigint | boolean {
  const t = typeof key;
  return t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean';
}

/** The TypeError for an unsupported key, naming `owner` (the state or operator). */
export function badKeyError(owner: string, key: unknown): TypeError {
  const accepted =
    key == null
      ? `${owner}: the key must not be null or undefined (does the key selector read a field that exists?)`
      : `${owner}: expected a string, number, bigint, boolean or an array (tuple) of those ` +
        `(tuple fields may also be null or undefined); objects compare by identity and are not supported as keys`;
  return errors.invalidArgumentType('key', key, accepted);
}

/** Canonical string of a tuple (see the module comment), or null if a field is unsupported or nesting too deep. */
export function canonicalTuple(a: readonly unknown[], depth: number): string | null {
  if (depth >= MAX_KEY_DEPTH) return null;
  let s = `[${a.length}:`;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    switch (typeof v) {
      case 'string':
        s += `s${v.length}:${v}`;
        break;
      case 'number':
        s += `n${v};`; // String(-0) is "0", String(NaN) is "NaN": SameValueZero
        break;
      case 'bigint':
        s += `b${v};`;
        break;
      case 'boolean':
        s += v ? 'T' : 'F';
        break;
      case 'undefined':
        s += 'U';
        break;
      default:
        if (v === null) s += 'N';
        else if (Array.isArray(v)) {
          const inner = canonicalTuple(v, depth + 1);
          if (inner === null) return null;
          s += inner;
        } else return null;
    }
  }
  return s;
}

/** A deep copy of a tuple key, so mutating the caller's array later does not change the state. */
export function copyTuple(a: readonly JsKeyField[]): JsKeyField[] {
  const c = new Array<JsKeyField>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    c[i] = Array.isArray(v) ? copyTuple(v) : v;
  }
  return c;
}
