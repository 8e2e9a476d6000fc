/**
 * Fixed-width VALUE states of the native backend (DOUBLE, LONG, BOOLEAN, tuples of them; no
 * namespace, no TTL): their values live in the scratch's fixed area (native-scratch.ts). The
 * store's setCurrentKey copies the new key's value into the state's slot and sets its present
 * flag; value() reads the slot, update() writes it and sets the dirty flag, and the next
 * setCurrentKey writes a dirty value back in place. A read-modify-write per record therefore
 * costs no store call of its own; only a key's first value (an insert) and clear() call the
 * store. DOUBLE and LONG values are read and written as Float64Array / BigInt64Array elements
 * of the scratch (slots are 8-aligned), other widths through their serializer.
 *
 * Depends on: ../errors, ../types, ./native-keyed-states, ./native-scratch.
 */
import { errors } from '../errors.js';
import type { TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { NativeState, type NativeStateHost } from './native-keyed-states.js';
import { FIXED_AREA_START, IO_AT } from './native-scratch.js';

const FIXED_WIDTHS: Readonly<Record<string, number>> = { DOUBLE: 8, LONG: 8, BOOLEAN: 1 };

/** Bytes of a type whose encoding has one width, else undefined. */
export function fixedWidth(type: TypeInformation<unknown>): number | undefined {
  const own = FIXED_WIDTHS[type.name];
  if (own !== undefined) return own;
  const fields = (type as { fieldTypes?: readonly TypeInformation<unknown>[] }).fieldTypes;
  if (!Array.isArray(fields) || !type.name.startsWith('TUPLE(')) return undefined;
  let sum = 0;
  for (const f of fields) {
    const w = fixedWidth(f as TypeInformation<unknown>);
    if (w === undefined) return undefined;
    sum += w;
  }
  return sum;
}

/** Places fixed-width slots in the scratch's fixed area: [flags (8 bytes)][value, 8-aligned]. */
export class FixedSlots {
  #next = FIXED_AREA_START;

  /** The flag and value offsets of a new slot of `width` bytes, or undefined when the area is full. */
  allocate(width: number): { flagAt: number; valueAt: number } | undefined {
    const flagAt = this.#next;
    const valueAt = flagAt + 8;
    if (valueAt + width > IO_AT) return undefined;
    this.#next = (valueAt + width + 7) & ~7;
    return { flagAt, valueAt };
  }
}

/** A fixed-width VALUE state read and written through its serializer. */
export class FixedValueState<T> extends NativeState {
  constructor(
    host: NativeStateHost,
    protected readonly serializer: TypeSerializer<T>,
    protected readonly defaultValue: T | null,
    protected readonly flagAt: number,
    protected readonly valueAt: number,
    private readonly width: number,
    private readonly index: number,
  ) {
    super(host, -1, null, undefined);
  }

  value(): T | null {
    const scratch = this.host.scratch;
    if (scratch.bytes[this.flagAt] !== 1) return this.defaultValue;
    const input = scratch.input;
    input.pos = this.valueAt;
    return this.serializer.read(input);
  }

  update(value: T | null | undefined): void {
    if (value === null || value === undefined) return this.clear();
    const out = this.host.scratch.out;
    out.pos = this.valueAt;
    this.serializer.write(value, out);
    if (out.pos !== this.valueAt + this.width) throw errors.internal(`fixed-width state wrote ${out.pos - this.valueAt} bytes, expected ${this.width}`);
    this.written();
  }

  /** After the slot got a new value: dirty if the key had one, else inserted now. */
  protected written(): void {
    const bytes = this.host.scratch.bytes;
    if (bytes[this.flagAt] === 1) bytes[this.flagAt + 1] = 1;
    else this.host.store.insertFixed(this.index);
  }

  clear(): void {
    this.host.store.removeFixed(this.index);
  }
}

/** A ValueState<DOUBLE>: the slot is one Float64Array element. */
export class DoubleValueState extends FixedValueState<number> {
  override value(): number | null {
    const scratch = this.host.scratch;
    return scratch.bytes[this.flagAt] === 1 ? scratch.f64[this.valueAt >> 3]! : this.defaultValue;
  }

  override update(value: number | null | undefined): void {
    // Anything but a number takes the serializer's path, which names the problem.
    if (typeof value !== 'number') return super.update(value);
    this.host.scratch.f64[this.valueAt >> 3] = value;
    this.written();
  }
}

/** A ValueState<LONG>: the slot is one BigInt64Array element. */
export class LongValueState extends FixedValueState<bigint> {
  override value(): bigint | null {
    const scratch = this.host.scratch;
    return scratch.bytes[this.flagAt] === 1 ? scratch.i64[this.valueAt >> 3]! : this.defaultValue;
  }

  override update(value: bigint | null | undefined): void {
    if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) return super.update(value);
    this.host.scratch.i64[this.valueAt >> 3] = value;
    this.written();
  }
}
