/**
 * The byte sink serializers write records into.
 *
 * Two modes:
 * - **growable scratch** (`new DataOutputView(capacity)`): a private buffer that doubles when a
 *   write needs more room, keeping what was written. Used when a record's size is unknown or
 *   does not fit the current memory segment.
 * - **fixed window** (`DataOutputView.over(buf, view)`): a view over existing memory, typically a
 *   Buffer over the task manager's SharedArrayBuffer. The record writer sets `pos` and `limit`
 *   per record after checking `TypeSerializer.maxSize`, so running out of room here is a bug in
 *   the caller and `ensure` throws an internal error instead of writing past `limit` into a
 *   neighbouring segment.
 *
 * Every write still compares against `limit` (one branch), so a wrong `maxSize` can never
 * corrupt memory outside the window.
 *
 * Encoding (all integers little-endian):
 * - `writeString`: int32 byte length, then UTF-8 bytes. Lone surrogates are encoded as U+FFFD.
 * - `writeBytes`: int32 byte length, then the bytes.
 * - `writeBoolean`: one byte, 0 or 1.
 *
 * Not thread-safe; one view per writer.
 */

import { StromError } from '../errors.js';
import type { NativeBuffer } from './native-buffer.js';

/**
 * Strings up to this many UTF-16 units are encoded by a JS loop when they are ASCII; longer
 * ones go straight to the native `utf8Write`. Measured on Node 20 (ns per string, SAB-backed
 * Buffer): length 1: 5 vs 38, 8: 16 vs 40, 16: 31 vs 43, 24: 44 vs 45, 32: 62 vs 43.
 */
const ASCII_LOOP_MAX = 16;

/** Default capacity of a growable view, in bytes. */
const DEFAULT_CAPACITY = 256;

function internalError(detail: string): StromError {
  return new StromError('ERR_INTERNAL_ASSERTION', `Internal error: ${detail}. This is a bug in strom.`);
}

function allocate(capacity: number): Buffer {
  // allocUnsafeSlow: never from the shared pool, so byteOffset is 0 and the DataView is exact.
  return Buffer.allocUnsafeSlow(capacity);
}

/** A little-endian byte sink over a growable scratch buffer or a fixed window of memory. */
export class DataOutputView {
  /** The memory written to. Positions are indices into this Buffer. Replaced when a growable view grows. */
  buf: Buffer;
  /** A DataView over exactly the same bytes as `buf` (same buffer, same byteOffset). */
  view: DataView;
  /** Next byte to write, as an index into `buf`. */
  pos: number;
  /** End of the writable window (exclusive), as an index into `buf`. */
  limit: number;
  /** True for a fixed window over existing memory: `ensure` cannot grow it. */
  readonly fixed: boolean;

  /**
   * Creates a growable scratch view.
   * @param initialCapacity bytes to allocate up front (default 256); grows by doubling.
   */
  constructor(initialCapacity: number = DEFAULT_CAPACITY) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`DataOutputView initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    this.buf = allocate(initialCapacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
    this.limit = initialCapacity;
    this.fixed = false;
  }

  /**
   * Creates a fixed window over existing memory, e.g. `Buffer.from(sab)` and `new DataView(sab)`.
   * `view` must cover the same bytes as `buf`. `pos` starts at 0 and `limit` at `buf.length`;
   * the caller moves both per record.
   */
  static over(buf: Buffer, view: DataView): DataOutputView {
    if (view.buffer !== buf.buffer || view.byteOffset !== buf.byteOffset || view.byteLength !== buf.byteLength) {
      throw new TypeError('DataOutputView.over: view must cover exactly the same bytes as buf');
    }
    const out = new DataOutputView(1);
    out.buf = buf;
    out.view = view;
    out.limit = buf.length;
    (out as { fixed: boolean }).fixed = true;
    return out;
  }

  /**
   * Makes room for `n` more bytes at `pos`. A growable view at least doubles its capacity and
   * keeps the bytes before `pos`; a fixed view throws an internal error (callers size records
   * with `maxSize` first).
   */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.limit) return;
    if (this.fixed) {
      throw internalError(`record needs ${need - this.limit} more bytes than the fixed window has (maxSize too small?)`);
    }
    let capacity = this.buf.length * 2;
    if (capacity < need) capacity = need;
    const next = allocate(capacity);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    this.limit = capacity;
  }

  /** Writes one unsigned byte (0..255). */
  writeUint8(v: number): void {
    const p = this.pos;
    if (p + 1 > this.limit) this.ensure(1);
    this.buf[p] = v;
    this.pos = p + 1;
  }

  /** Writes a boolean as one byte: 1 for true, 0 for false. */
  writeBoolean(v: boolean): void {
    const p = this.pos;
    if (p + 1 > this.limit) this.ensure(1);
    this.buf[p] = v ? 1 : 0;
    this.pos = p + 1;
  }

  /** Writes a signed 32-bit integer, little-endian. */
  writeInt32(v: number): void {
    const p = this.pos;
    if (p + 4 > this.limit) this.ensure(4);
    this.view.setInt32(p, v, true);
    this.pos = p + 4;
  }

  /** Writes an IEEE-754 double, little-endian (NaN, -0 and infinities round-trip). */
  writeFloat64(v: number): void {
    const p = this.pos;
    if (p + 8 > this.limit) this.ensure(8);
    this.view.setFloat64(p, v, true);
    this.pos = p + 8;
  }

  /** Writes a bigint as signed 64-bit two's complement, little-endian. Out-of-range values wrap; validate first. */
  writeBigInt64(v: bigint): void {
    const p = this.pos;
    if (p + 8 > this.limit) this.ensure(8);
    this.view.setBigInt64(p, v, true);
    this.pos = p + 8;
  }

  /**
   * Writes a string as an int32 UTF-8 byte length followed by the UTF-8 bytes. Needs at most
   * `4 + 3 * s.length` bytes (a fixed window with less room left falls back to measuring the
   * exact UTF-8 length). Lone surrogates are written as U+FFFD (EF BF BD).
   */
  writeString(s: string): void {
    const n = s.length;
    const start = this.pos;
    if (start + 4 + 3 * n > this.limit) {
      // A fixed window may still fit the exact size (GENERIC does not bound strings up front).
      this.ensure(this.fixed ? 4 + Buffer.byteLength(s, 'utf8') : 4 + 3 * n);
    }
    const buf = this.buf;
    if (n <= ASCII_LOOP_MAX) {
      let p = start + 4;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        this.view.setInt32(start, n, true);
        this.pos = p;
        return;
      }
    }
    const written = (buf as NativeBuffer).utf8Write(s, start + 4, this.limit - start - 4);
    this.view.setInt32(start, written, true);
    this.pos = start + 4 + written;
  }

  /** Writes an int32 byte length followed by a copy of `bytes`. */
  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    const p = this.pos;
    if (p + 4 + n > this.limit) this.ensure(4 + n);
    this.view.setInt32(p, n, true);
    this.buf.set(bytes, p + 4);
    this.pos = p + 4 + n;
  }
}
