/**
 * The contract between a record's declared type and the record writer/reader in `io/`.
 *
 * The writer frames a record as `[int32 length][tag byte][payload]` and calls `write` for the
 * payload. It first asks `maxSize`: when the bound fits the current memory segment, `write`
 * goes straight into shared memory (a fixed `DataOutputView`); otherwise into a growable scratch
 * view that is then copied, possibly across segments.
 */

import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';

/** Encodes and decodes values of one type. Implementations are stateless and reusable. */
export interface TypeSerializer<T> {
  /** Name of the type in error messages, e.g. `STRING` or `TUPLE(STRING, DOUBLE)`. */
  readonly typeName: string;
  /**
   * A cheap upper bound, in bytes, of what `write(value)` produces. Never throws. Returns -1
   * when no bound is known without encoding (GENERIC) and may return NaN for a value of the
   * wrong type; either way the writer takes the scratch path, where `write` validates.
   */
  maxSize(value: T): number;
  /**
   * Appends the encoding of `value` at `out.pos`. Throws `SerializationError` (naming the type
   * and the value) when the declared type cannot encode `value`; `out` may then hold a partial
   * encoding, which the caller discards.
   */
  write(value: T, out: DataOutputView): void;
  /**
   * Decodes one value at `input.pos` and advances past it. Throws `CorruptRecordError` on
   * truncated or malformed bytes. Returned values never alias the input memory.
   */
  read(input: DataInputView): T;
}
