/**
 * Operator (non-keyed) state for sources and sinks (Flink's OperatorStateBackend): list states
 * per subtask, not per key, each redistributed when the parallelism changes:
 * - `getListState(descriptor)` (Flink's SPLIT_DISTRIBUTE): the elements of all old subtasks are
 *   concatenated in subtask order and split into contiguous, even parts (sizes differ by at
 *   most one), one per new subtask; e.g. a source's split offsets.
 * - `getUnionListState(descriptor)` (Flink's UNION): every new subtask gets every element, and
 *   picks what it needs.
 *
 * Snapshots (operator-state-snapshot-format.ts) keep elements serialized by the descriptor's
 * element type (GENERIC when undeclared); `redistributeOperatorState` turns the snapshots of the
 * old subtasks into one per new subtask without decoding elements. A restored state is decoded
 * when its descriptor is declared; until then it is carried into snapshots unchanged.
 *
 * Depends on: ./operator-state-snapshot-format, ./state-descriptor, ../errors, ../types.
 */

import { errors } from '../errors.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import {
  readOperatorStateSnapshot,
  writeOperatorStateSnapshot,
  type OperatorStateEntry,
  type OperatorStateMode,
} from './operator-state-snapshot-format.js';
import type { ListState, ListStateDescriptor } from './state-descriptor.js';

/** A declared operator list state. */
class OperatorListState<T> implements ListState<T> {
  elements: T[] = [];
  constructor(
    readonly name: string,
    readonly mode: OperatorStateMode,
    readonly serializer: TypeSerializer<T>,
  ) {}

  get(): Iterable<T> {
    return this.elements;
  }
  add(value: T): void {
    this.elements.push(this.#checked(value));
  }
  addAll(values: Iterable<T>): void {
    for (const v of this.#iterable(values, 'addAll')) this.add(v);
  }
  update(values: Iterable<T>): void {
    const fresh = Array.from(this.#iterable(values, 'update'), (v) => this.#checked(v));
    this.elements = fresh;
  }
  clear(): void {
    this.elements = [];
  }

  #checked(v: T): T {
    if (v === null || v === undefined) throw errors.invalidArgumentType(`element added to operator list state '${this.name}'`, v, 'a list state cannot hold null or undefined');
    return v;
  }
  #iterable(values: Iterable<T>, method: string): Iterable<T> {
    if (values === null || values === undefined || typeof values[Symbol.iterator] !== 'function') {
      throw errors.invalidArgumentType(`ListState.${method} of operator state '${this.name}'`, values, 'expected an iterable of elements');
    }
    return values;
  }
}

export class OperatorStateBackend {
  readonly #operatorName: string;
  readonly #states = new Map<string, OperatorListState<unknown>>();
  /** Restored states not declared yet, as serialized elements. */
  readonly #restored = new Map<string, OperatorStateEntry>();

  constructor(operatorName: string) {
    this.#operatorName = operatorName;
  }

  /** A list state split evenly over the subtasks on rescale (Flink's SPLIT_DISTRIBUTE). */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#state(descriptor, 'SPLIT_DISTRIBUTE');
  }

  /** A list state every subtask gets whole on restore (Flink's UNION). */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#state(descriptor, 'UNION');
  }

  /** Every state's elements, serialized. @throws SerializationError if an element does not fit its declared type. */
  snapshot(): Uint8Array {
    const out = new DataOutputView(256);
    const entries: OperatorStateEntry[] = [...this.#restored.values()];
    for (const s of this.#states.values()) {
      const elements = s.elements.map((e) => {
        out.pos = 0;
        s.serializer.write(e, out);
        return new Uint8Array(out.buf.subarray(0, out.pos));
      });
      entries.push({ name: s.name, mode: s.mode, elementTypeName: s.serializer.typeName, elements });
    }
    return writeOperatorStateSnapshot(entries);
  }

  /**
   * Restores this subtask's snapshot (from `redistributeOperatorState`, or its own). Replaces
   * the elements of declared states it holds. All or nothing.
   * @throws CorruptRecordError for bad bytes or a state whose mode or type differs from its declaration.
   */
  restore(snapshot: Uint8Array): void {
    const entries = readOperatorStateSnapshot(snapshot);
    const decoded = new Map<string, unknown[]>();
    for (const e of entries) {
      const s = this.#states.get(e.name);
      if (s !== undefined) decoded.set(e.name, this.#decode(s, e));
    }
    for (const e of entries) {
      const values = decoded.get(e.name);
      if (values !== undefined) this.#states.get(e.name)!.elements = values;
      else this.#restored.set(e.name, e);
    }
  }

  #state<T>(descriptor: ListStateDescriptor<T>, mode: OperatorStateMode): ListState<T> {
    if (descriptor === null || typeof descriptor !== 'object' || descriptor.kind !== 'LIST') {
      throw errors.invalidArgumentType(`operator state of ${this.#operatorName}`, descriptor, 'expected a ListStateDescriptor (operator state holds lists only)');
    }
    const serializer = descriptor.type.createSerializer() as TypeSerializer<T>;
    const existing = this.#states.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.mode !== mode || existing.serializer.typeName !== serializer.typeName) {
        throw errors.invalidArgumentType(
          `operator state '${descriptor.name}' of ${this.#operatorName}`,
          descriptor.name,
          `it was declared as a ${describe(existing.mode)} of ${existing.serializer.typeName}, now as a ${describe(mode)} of ${serializer.typeName}; give the new state another name`,
        );
      }
      return existing as unknown as ListState<T>;
    }
    const state = new OperatorListState<T>(descriptor.name, mode, serializer);
    const restored = this.#restored.get(descriptor.name);
    if (restored !== undefined) {
      state.elements = this.#decode(state as OperatorListState<unknown>, restored) as T[];
      this.#restored.delete(descriptor.name);
    }
    this.#states.set(descriptor.name, state as OperatorListState<unknown>);
    return state;
  }

  #decode(s: OperatorListState<unknown>, e: OperatorStateEntry): unknown[] {
    if (e.mode !== s.mode || e.elementTypeName !== s.serializer.typeName) {
      throw errors.corruptRecord(
        `invalid operator state snapshot: state '${e.name}' is a ${describe(e.mode)} of ${e.elementTypeName} in the snapshot, a ${describe(s.mode)} of ${s.serializer.typeName} in ${this.#operatorName}`,
      );
    }
    const input = new DataInputView();
    return e.elements.map((bytes, i) => {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      input.reset(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), 0, buf.length);
      try {
        const v = s.serializer.read(input);
        if (input.pos !== input.limit) throw new Error(`${input.limit - input.pos} bytes after it`);
        return v;
      } catch (err) {
        throw errors.corruptRecord(`invalid operator state snapshot: state '${e.name}': undecodable element ${i} (${err instanceof Error ? err.message : String(err)})`);
      }
    });
  }
}

function describe(mode: OperatorStateMode): string {
  return mode === 'UNION' ? 'union list state' : 'list state';
}

/**
 * The snapshot of each of `newParallelism` subtasks from the snapshots of the old subtasks, in
 * subtask order (Flink's RoundRobinOperatorStateRepartitioner): SPLIT_DISTRIBUTE lists are
 * concatenated and cut into even contiguous parts, UNION lists go whole to every subtask.
 * @throws CorruptRecordError for a bad snapshot or a state whose mode or type differs between them.
 */
export function redistributeOperatorState(snapshots: readonly Uint8Array[], newParallelism: number): Uint8Array[] {
  if (!Number.isInteger(newParallelism) || newParallelism < 1) throw errors.argumentOutOfRange('newParallelism', newParallelism, 'expected an integer >= 1');
  const merged = new Map<string, { mode: OperatorStateMode; elementTypeName: string; elements: Uint8Array[] }>();
  for (const bytes of snapshots) {
    for (const s of readOperatorStateSnapshot(bytes)) {
      const m = merged.get(s.name);
      if (m === undefined) merged.set(s.name, { mode: s.mode, elementTypeName: s.elementTypeName, elements: [...s.elements] });
      else if (m.mode !== s.mode || m.elementTypeName !== s.elementTypeName) {
        throw errors.corruptRecord(`invalid operator state snapshot: state '${s.name}' is a ${describe(m.mode)} of ${m.elementTypeName} in one subtask, a ${describe(s.mode)} of ${s.elementTypeName} in another`);
      } else m.elements.push(...s.elements);
    }
  }
  return Array.from({ length: newParallelism }, (_, i) =>
    writeOperatorStateSnapshot(
      [...merged].map(([name, m]) => {
        const n = m.elements.length;
        const part = m.mode === 'UNION' ? m.elements : m.elements.slice(Math.floor((i * n) / newParallelism), Math.floor(((i + 1) * n) / newParallelism));
        return { name, mode: m.mode, elementTypeName: m.elementTypeName, elements: part };
      }),
    ),
  );
}
