/**
 * Builds `SerializationError`s that remember where they happened, so a tuple or row that
 * catches a field's error can rethrow one error naming the whole value, the path to the field
 * (`field 1.name`) and the root cause.
 */

import { describeValue, errors, SerializationError } from '../errors.js';

const kOrigin = Symbol('strom.serializationOrigin');

interface Origin {
  /** Dotted path from the outermost composite to the failing field; '' at the leaf. */
  readonly path: string;
  /** The leaf failure, e.g. `cannot serialize 42 as STRING: expected a string`. */
  readonly leaf: string;
}

type Tracked = SerializationError & { [kOrigin]?: Origin };

/** A `SerializationError` for `value` as `typeName`; `detail` says what was expected. */
export function serializationFailure(typeName: string, value: unknown, detail: string): SerializationError {
  const error = errors.serialization(typeName, value, detail) as Tracked;
  error[kOrigin] = { path: '', leaf: `cannot serialize ${describeValue(value)} as ${typeName}: ${detail}` };
  return error;
}

/**
 * For composite serializers: wraps `cause`, thrown while writing `field` of `value`, in a new
 * error naming the composite type, the field path and the leaf failure. Other errors pass
 * through unchanged. Returns the error to throw.
 */
export function fieldFailure(typeName: string, value: unknown, field: string | number, cause: unknown): unknown {
  if (!(cause instanceof SerializationError)) return cause;
  const inner = (cause as Tracked)[kOrigin] ?? { path: '', leaf: cause.message };
  const path = inner.path === '' ? String(field) : `${field}.${inner.path}`;
  const error = errors.serialization(typeName, value, `field ${path}: ${inner.leaf}`) as Tracked;
  error[kOrigin] = { path, leaf: inner.leaf };
  return error;
}
