/**
 * Compiles the per-record loops of a composite serializer (TUPLE, ROW) into straight-line code,
 * once per type, with `new Function`.
 *
 * Why: a loop over fields does keyed loads (`value[names[i]]`) and builds its result with keyed
 * stores or `push`, which V8 cannot specialise. The compiled code uses a fixed property access
 * per field and an array or object literal, so every record of a type gets the same hidden
 * class. Measured on Node 20: TUPLE(DOUBLE, DOUBLE, BOOLEAN) read 3.4 ns vs 29 ns with `push`;
 * ROW(word: STRING, ok: BOOLEAN) read 10.6 ns vs 34.6 ns with keyed stores.
 *
 * Safety: field names enter the generated source only as `JSON.stringify`-quoted string
 * literals (valid JS string literals); serializers and error factories are passed as arguments.
 */

import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import type { TypeSerializer } from './type-serializer.js';

/** The compiled loops; callers check the value's overall shape first. */
export interface CompiledFields {
  /** Sum of the fields' `maxSize`, or -1 as soon as one is unknown. */
  maxSize(value: object): number;
  /** Writes the fields in order; wraps field errors with `failed`, reports absent ones with `missing`. */
  write(value: object, out: DataOutputView): void;
  /** Reads the fields in order into a new array (tuple) or plain object (row). */
  read(input: DataInputView): unknown;
}

/** How the compiled code addresses fields and what it builds on read. */
export interface FieldLayout {
  /** `array`: fields by index, read into an array literal. `object`: by name, into an object literal. */
  readonly kind: 'array' | 'object';
  /** Field names for `object` layouts (ignored for arrays). */
  readonly names: readonly string[];
  /** One serializer per field. */
  readonly fields: readonly TypeSerializer<unknown>[];
  /** Builds the error for a declared field absent from the value (`object` layouts only). */
  readonly missing: (value: unknown, index: number) => unknown;
  /** Builds the error to throw when writing field `index` threw `cause`. */
  readonly failed: (value: unknown, index: number, cause: unknown) => unknown;
}

/** Compiles the field loops for one composite type. */
export function compileFields(layout: FieldLayout): CompiledFields {
  const { kind, names, fields } = layout;
  const decls: string[] = [];
  const sizes: string[] = [];
  const writes: string[] = [];
  const reads: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const key = kind === 'array' ? String(i) : JSON.stringify(names[i]);
    const access = `v[${key}]`;
    decls.push(`const s${i} = s[${i}];`);
    sizes.push(`m = s${i}.maxSize(${access}); if (m < 0) return -1; n += m;`);
    const presence = kind === 'object' ? ` if (f === undefined && !(${key} in v)) throw missing(v, ${i});` : '';
    writes.push(`f = ${access};${presence} try { s${i}.write(f, out); } catch (e) { throw failed(v, ${i}, e); }`);
    // A computed key makes "__proto__" an own property instead of setting the prototype.
    if (kind === 'array') reads.push(`s${i}.read(input)`);
    else reads.push(names[i] === '__proto__' ? `[${key}]: s${i}.read(input)` : `${key}: s${i}.read(input)`);
  }
  const literal = kind === 'array' ? `[${reads.join(', ')}]` : `{ ${reads.join(', ')} }`;
  const source = `'use strict';
${decls.join('\n')}
return {
  maxSize(v) { let n = 0, m; ${sizes.join('\n')} return n; },
  write(v, out) { let f; ${writes.join('\n')} },
  read(input) { return ${literal}; },
};`;
  const factory = new Function('s', 'missing', 'failed', source) as (
    s: readonly TypeSerializer<unknown>[],
    missing: FieldLayout['missing'],
    failed: FieldLayout['failed'],
  ) => CompiledFields;
  return factory(fields.slice(), layout.missing, layout.failed);
}
