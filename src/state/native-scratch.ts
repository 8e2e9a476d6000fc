/**
 * The scratch buffer a NativeKeyedStateBackend shares with its KeyedStateStore
 * (native/napi/keyed_state_store_wrap.h): keys, namespaces, user keys and values are written
 * here and calls pass offsets and lengths, so no JS object crosses per state access.
 *
 * Layout
 *   [0, 8)          setCurrentKey's arguments: int32 key length, int32 key group (the store
 *                   writes the key group itself for the key kinds it hashes)
 *   [8, IO_AT)      fixed-width VALUE states: per state a present flag, a dirty flag, and its
 *                   value slot (8-aligned, so DOUBLE and LONG values are Float64Array and
 *                   BigInt64Array elements)
 *   [IO_AT, end)    the current key, then the namespace, user key and value of one call
 *
 * The buffer grows (DataOutputView.ensure) when a value does not fit; `sync` hands the new one to
 * the store and renews the views.
 *
 * Depends on: ../native/addon, ../types/data-input-view, ../types/data-output-view.
 */
import type { NativeKeyedStateStore } from '../native/addon.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';

export const KEY_LENGTH_AT = 0;
export const KEY_GROUP_AT = 4;
/** Where the fixed-width states' flags and values start. */
export const FIXED_AREA_START = 8;
/** Where the key (then namespaces, user keys, values) is written; the fixed area ends here. */
export const IO_AT = 4096;

export class NativeScratch {
  readonly out: DataOutputView;
  input: DataInputView;
  /** The buffer (out.buf when synced). */
  bytes: Uint8Array;
  i32: Int32Array;
  f64: Float64Array;
  i64: BigInt64Array;

  constructor(initialBytes: number) {
    this.out = new DataOutputView(initialBytes);
    this.bytes = this.out.buf;
    this.input = new DataInputView(this.out.buf, this.out.view, 0, this.out.buf.length);
    ({ i32: this.i32, f64: this.f64, i64: this.i64 } = views(this.bytes));
  }

  /** After writing to `out`: hands a grown buffer to the store. */
  sync(store: NativeKeyedStateStore): void {
    const buf = this.out.buf;
    if (buf === this.bytes) return;
    store.setScratch(buf);
    this.bytes = buf;
    this.input = new DataInputView(buf, this.out.view, 0, buf.length);
    ({ i32: this.i32, f64: this.f64, i64: this.i64 } = views(buf));
  }

  /** Makes the buffer at least `length` bytes long, keeping its contents. */
  grow(length: number, store: NativeKeyedStateStore): void {
    const out = this.out;
    const pos = out.pos;
    out.pos = out.buf.length;
    out.ensure(length - out.buf.length);
    out.pos = pos;
    this.sync(store);
  }

  /** Appends `bytes` at out.pos. */
  writeRaw(bytes: Uint8Array): void {
    const out = this.out;
    out.ensure(bytes.length);
    out.buf.set(bytes, out.pos);
    out.pos += bytes.length;
  }
}

function views(buf: Uint8Array): { i32: Int32Array; f64: Float64Array; i64: BigInt64Array } {
  return {
    i32: new Int32Array(buf.buffer, buf.byteOffset, buf.length >> 2),
    f64: new Float64Array(buf.buffer, buf.byteOffset, buf.length >> 3),
    i64: new BigInt64Array(buf.buffer, buf.byteOffset, buf.length >> 3),
  };
}
