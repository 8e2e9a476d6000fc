/**
 * Typings for the undocumented-but-stable fast paths on Node's `Buffer.prototype`.
 *
 * `utf8Write` and `utf8Slice` are the native methods `buf.write(s, off, 'utf8')` and
 * `buf.toString('utf8', a, b)` end up calling; calling them directly skips encoding-name
 * lookup and argument normalisation (~2x cheaper for short strings). They work on Buffers that
 * view a SharedArrayBuffer. `@types/node` does not declare them, hence this file.
 */

/** A `Buffer` with the native UTF-8 fast paths declared. Cast, never construct. */
export interface NativeBuffer extends Buffer {
  /** Encodes `s` as UTF-8 at `offset` (at most `length` bytes, never a partial character); returns bytes written. */
  utf8Write(s: string, offset: number, length?: number): number;
  /** Decodes bytes `[start, end)` as UTF-8; invalid sequences become U+FFFD. */
  utf8Slice(start: number, end: number): string;
}
