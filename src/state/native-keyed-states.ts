/**
 * The state objects of the native keyed state backend with variable-width values (VALUE,
 * REDUCING, AGGREGATING, LIST, MAP, and any state with a namespace or TTL): each access writes
 * the namespace (and user key, and value) into the scratch at IO_AT and makes one store call
 * with offsets and lengths (native-scratch.ts). Fixed-width VALUE states are in
 * native-fixed-value-states.ts.
 *
 * Stored bytes per entry (the snapshot format's items, keyed-state-snapshot-format.ts):
 *   VALUE, REDUCING, AGGREGATING  [int64 last access, TTL only] value
 *   LIST                          per element: [int64 last access, TTL only] uint32 length, element
 *   MAP (one entry per user key)  [int64 last access, TTL only] value
 * REDUCING and AGGREGATING fold with the JS function, then write.
 *
 * Depends on: ../errors, ../native/addon, ../types, ./keyed-state-backend, ./native-scratch,
 * ./native-state-ttl, ./state-ttl-config.
 */
import { errors } from '../errors.js';
import type { NativeKeyedStateStore } from '../native/addon.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { VOID_NAMESPACE, type InternalKvState } from './keyed-state-backend.js';
import { IO_AT, type NativeScratch } from './native-scratch.js';
import { expiryOf, STAMP_BYTES, ttlRead, type Expiry } from './native-state-ttl.js';
import type { StateTtlConfig } from './state-ttl-config.js';

/** Entry kinds of the store (native/core/keyed_byte_map.h). */
export const KIND_VALUE = 0;
export const KIND_MAP = 1;
export const KIND_ELEMENT = 2;

export const EMPTY = new Uint8Array(0);

/** What the state objects use of their backend. */
export interface NativeStateHost {
  readonly store: NativeKeyedStateStore;
  readonly scratch: NativeScratch;
  readonly now: () => number;
}

/** What every state object of this backend does: namespaces and the scratch protocol. */
export abstract class NativeState implements InternalKvState<unknown> {
  /** Bytes of the current namespace (VOID: none). */
  #ns: Uint8Array = EMPTY;

  constructor(
    protected readonly host: NativeStateHost,
    protected readonly id: number,
    protected readonly nsSerializer: TypeSerializer<unknown> | null,
    protected readonly ttl: StateTtlConfig | undefined,
  ) {}

  abstract clear(): void;

  setCurrentNamespace(namespace: unknown): void {
    // VOID_NAMESPACE is no bytes, also in a state with namespaces (as on the heap backend).
    if (this.nsSerializer === null || namespace === VOID_NAMESPACE) {
      if (namespace !== VOID_NAMESPACE) throw errors.invalidArgumentType('namespace', namespace, 'this state was declared without a namespace serializer (VOID_NAMESPACE only)');
      this.#ns = EMPTY;
      return;
    }
    const out = new DataOutputView(32);
    this.nsSerializer.write(namespace, out);
    this.#ns = new Uint8Array(out.buf.subarray(0, out.pos));
  }

  /** Writes `namespace`'s bytes at `at` (applyToAllKeys); their length. */
  writeNamespaceOf(namespace: unknown, at: number): number {
    const { scratch, store } = this.host;
    scratch.out.pos = at;
    if (this.nsSerializer !== null && namespace !== VOID_NAMESPACE) this.nsSerializer.write(namespace, scratch.out);
    else if (namespace !== VOID_NAMESPACE) throw errors.invalidArgumentType('namespace', namespace, 'this state has no namespaces (VOID_NAMESPACE only)');
    scratch.sync(store);
    return scratch.out.pos - at;
  }

  /** Writes namespace (and user key) at IO_AT; the user key's length. */
  protected begin(userKey?: (out: DataOutputView) => void): number {
    const scratch = this.host.scratch;
    scratch.out.pos = IO_AT;
    scratch.writeRaw(this.#ns);
    const at = scratch.out.pos;
    if (userKey !== undefined) userKey(scratch.out);
    return scratch.out.pos - at;
  }

  protected get nsLength(): number {
    return this.#ns.length;
  }

  /** Fetches the stored bytes of (kind, current key, ns[, user key]) into the scratch at IO_AT;
   *  their length, or -1. begin() must have written the name. */
  protected fetch(kind: number, ukLength: number): number {
    const { scratch, store } = this.host;
    scratch.sync(store);
    const nsLength = this.#ns.length;
    let len = store.get(this.id, kind, IO_AT, nsLength, ukLength);
    if (len >= 0 && IO_AT + len > scratch.bytes.length) {
      scratch.grow(IO_AT + len + nsLength + ukLength, store);
      len = store.get(this.id, kind, IO_AT, nsLength, ukLength);
    }
    return len;
  }

  /**
   * The stored value of (kind, current key, ns[, user key]) read with `serializer`, through the
   * TTL (removed by `remove` when expired, refreshed by `refresh`); null when absent or expired.
   */
  protected readStored<T>(serializer: TypeSerializer<T>, kind: number, ukLength: number, remove: () => void, refresh: (value: T) => void): T | null {
    const len = this.fetch(kind, ukLength);
    if (len < 0) return null;
    const input = this.host.scratch.input;
    input.pos = IO_AT + (this.ttl === undefined ? 0 : STAMP_BYTES);
    input.limit = IO_AT + len;
    const value = serializer.read(input);
    input.limit = input.buf.length;
    if (this.ttl === undefined) return value;
    return ttlRead(this.ttl, this.stampAt(0), this.host.now(), value, remove, refresh);
  }

  /** The int64 last-access stamp at the scratch's IO_AT + offset. */
  protected stampAt(offset: number): number {
    return Number(this.host.scratch.out.view.getBigInt64(IO_AT + offset, true));
  }

  protected writeStamp(out: DataOutputView): void {
    if (this.ttl !== undefined) out.writeBigInt64(BigInt(this.host.now()));
  }

  protected expiry(stamp: number): Expiry {
    return expiryOf(this.ttl!, stamp, this.host.now());
  }

  protected removeCurrent(kind: number, ukLength: number): void {
    const { scratch, store } = this.host;
    scratch.sync(store);
    store.remove(this.id, kind, IO_AT, this.#ns.length, ukLength);
  }

  /** Puts the value written after begin()'s name. */
  protected putCurrent(kind: number, ukLength: number): void {
    const { scratch, store } = this.host;
    scratch.sync(store);
    const nsLength = this.#ns.length;
    store.put(this.id, kind, IO_AT, nsLength, ukLength, scratch.out.pos - IO_AT - nsLength - ukLength);
  }
}

export class NativeValueState<T> extends NativeState {
  constructor(
    host: NativeStateHost,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    protected readonly serializer: TypeSerializer<T>,
    private readonly defaultValue: T | null,
  ) {
    super(host, id, ns, ttl);
  }

  value(): T | null {
    return this.read() ?? this.defaultValue;
  }

  /** The stored value (null when absent or expired), refreshing or removing per the TTL. */
  protected read(): T | null {
    this.begin();
    return this.readStored(
      this.serializer,
      KIND_VALUE,
      0,
      () => this.clear(),
      (v) => this.write(v),
    );
  }

  update(value: T | null | undefined): void {
    if (value === null || value === undefined) return this.clear();
    this.write(value);
  }

  protected write(value: T): void {
    this.begin();
    this.writeStamp(this.host.scratch.out);
    this.serializer.write(value, this.host.scratch.out);
    this.putCurrent(KIND_VALUE, 0);
  }

  clear(): void {
    this.begin();
    this.removeCurrent(KIND_VALUE, 0);
  }
}

export class NativeReducingState<T> extends NativeValueState<T> {
  constructor(
    host: NativeStateHost,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    serializer: TypeSerializer<T>,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(host, id, ns, ttl, serializer, null);
  }

  get(): T | null {
    return this.read();
  }

  add(value: T): void {
    const current = this.read();
    this.write(current === null ? value : this.reduce(current, value));
  }
}

export class NativeAggregatingState<IN, ACC, OUT> extends NativeValueState<ACC> {
  constructor(
    host: NativeStateHost,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    serializer: TypeSerializer<ACC>,
    private readonly fn: { createAccumulator(): ACC; add(v: IN, acc: ACC): ACC; getResult(acc: ACC): OUT },
  ) {
    super(host, id, ns, ttl, serializer, null);
  }

  get(): OUT | null {
    const acc = this.read();
    return acc === null ? null : this.fn.getResult(acc);
  }

  add(value: IN): void {
    this.write(this.fn.add(value, this.read() ?? this.fn.createAccumulator()));
  }
}

export class NativeListState<T> extends NativeState {
  constructor(
    host: NativeStateHost,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    private readonly serializer: TypeSerializer<T>,
  ) {
    super(host, id, ns, ttl);
  }

  get(): Iterable<T> {
    this.begin();
    const len = this.fetch(KIND_VALUE, 0);
    if (len < 0) return [];
    const scratch = this.host.scratch;
    const input = scratch.input;
    const ttlBytes = this.ttl === undefined ? 0 : STAMP_BYTES;
    const values: T[] = [];
    let expired = 0;
    for (let p = IO_AT; p < IO_AT + len; ) {
      const n = scratch.out.view.getUint32(p + ttlBytes, true);
      input.pos = p + ttlBytes + 4;
      input.limit = input.pos + n;
      const value = this.serializer.read(input);
      const expiry = this.ttl === undefined ? 'live' : this.expiry(this.stampAt(p - IO_AT));
      if (expiry !== 'expired') values.push(value);
      if (expiry !== 'live') expired++;
      p = input.limit;
    }
    input.limit = input.buf.length;
    if (expired > 0) this.update(values);
    return values;
  }

  add(value: T): void {
    this.addAll([value]);
  }

  addAll(values: Iterable<T>): void {
    this.begin();
    const { scratch, store } = this.host;
    const out = scratch.out;
    const start = out.pos;
    for (const v of values) this.writeElement(out, v);
    if (out.pos === start) return;
    scratch.sync(store);
    store.append(this.id, IO_AT, this.nsLength, out.pos - start);
  }

  update(values: Iterable<T>): void {
    this.begin();
    const out = this.host.scratch.out;
    const start = out.pos;
    for (const v of values) this.writeElement(out, v);
    if (out.pos === start) return this.clear();
    this.putCurrent(KIND_VALUE, 0);
  }

  private writeElement(out: DataOutputView, value: T): void {
    if (value === null || value === undefined) throw errors.invalidArgumentType('list state element', value, 'expected a value (ListState does not hold null)');
    this.writeStamp(out);
    const at = out.pos;
    out.writeInt32(0);
    this.serializer.write(value, out);
    out.view.setUint32(at, out.pos - at - 4, true);
  }

  clear(): void {
    this.begin();
    this.removeCurrent(KIND_VALUE, 0);
  }
}

export class NativeMapState<UK, UV> extends NativeState {
  constructor(
    host: NativeStateHost,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    private readonly valueSerializer: TypeSerializer<UV>,
    private readonly userKeys: TypeSerializer<UK>,
  ) {
    super(host, id, ns, ttl);
  }

  get(key: UK): UV | null {
    const ukLength = this.begin((out) => this.userKeys.write(key, out));
    return this.readStored(
      this.valueSerializer,
      KIND_ELEMENT,
      ukLength,
      () => this.remove(key),
      (v) => this.put(key, v),
    );
  }

  put(key: UK, value: UV): void {
    const ukLength = this.begin((out) => this.userKeys.write(key, out));
    this.writeStamp(this.host.scratch.out);
    this.valueSerializer.write(value, this.host.scratch.out);
    this.putCurrent(KIND_ELEMENT, ukLength);
  }

  putAll(entries: Iterable<readonly [UK, UV]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: UK): void {
    const ukLength = this.begin((out) => this.userKeys.write(key, out));
    this.removeCurrent(KIND_ELEMENT, ukLength);
  }

  contains(key: UK): boolean {
    return this.get(key) !== null;
  }

  entries(): Iterable<[UK, UV]> {
    this.begin();
    const { scratch, store } = this.host;
    scratch.sync(store);
    const bytes = store.mapEntries(this.id, IO_AT, this.nsLength);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ttlBytes = this.ttl === undefined ? 0 : STAMP_BYTES;
    const result: [UK, UV][] = [];
    const expiredKeys: UK[] = [];
    for (let p = 0; p < bytes.length; ) {
      const kn = view.getUint32(p, true);
      const key = this.userKeys.read(new DataInputView(buf, undefined, p + 4, p + 4 + kn));
      p += 4 + kn;
      const vn = view.getUint32(p, true);
      const value = this.valueSerializer.read(new DataInputView(buf, undefined, p + 4 + ttlBytes, p + 4 + vn));
      const expiry = this.ttl === undefined ? 'live' : this.expiry(Number(view.getBigInt64(p + 4, true)));
      p += 4 + vn;
      if (expiry !== 'expired') result.push([key, value]);
      if (expiry !== 'live') expiredKeys.push(key);
    }
    for (const k of expiredKeys) this.remove(k);
    return result;
  }

  keys(): Iterable<UK> {
    return [...this.entries()].map(([k]) => k);
  }

  values(): Iterable<UV> {
    return [...this.entries()].map(([, v]) => v);
  }

  isEmpty(): boolean {
    if (this.ttl !== undefined) return [...this.entries()].length === 0;
    this.begin();
    const { scratch, store } = this.host;
    scratch.sync(store);
    return store.mapSize(this.id, IO_AT, this.nsLength) === 0;
  }

  clear(): void {
    this.begin();
    this.removeCurrent(KIND_MAP, 0);
  }
}
