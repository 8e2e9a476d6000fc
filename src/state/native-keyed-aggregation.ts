import { errors } from '../errors.js';
import type { ManagedMemory } from '../memory/managed-memory.js';
import { loadNativeAddon, type NativeKeyedAggregation as NativeAggregation } from '../native/addon.js';
import { describeType, isNativeAggregatable } from '../types/type-descriptor.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import { AggregationKindCode, ProcessStatus, type AggregationKind } from './aggregation-kind.js';

/** Options of a NativeKeyedAggregation. */
export interface NativeKeyedAggregationOptions {
  /** Type of the input records: a TUPLE or ROW (or a primitive) without GENERIC parts. */
  type: TypeInformation<unknown>;
  /** Key fields: top-level positions, or field names of a ROW; primitive fields only. */
  keyFields: readonly (number | string)[];
  /** The aggregation. */
  aggregation: AggregationKind;
  /** The aggregated DOUBLE or LONG field (position or ROW field name); not used by count. */
  field?: number | string;
  /** STREAMING emits the updated aggregate per record; BATCH only the finals, at `finish()`. */
  mode: 'STREAMING' | 'BATCH';
  /** Number of key groups (`pipeline.max-parallelism`), 1..32768. */
  maxParallelism: number;
  /** The TaskManager's managed memory, which the state is charged to. */
  managedMemory: ManagedMemory;
  /** Operator name for error messages. */
  operatorName: string;
  /**
   * Receives output frames (`[int32 length][tag][payload]`, whole frames back to back) in
   * `bytes[start, end)`; the bytes are only valid during the call.
   */
  output: (bytes: Uint8Array, start: number, end: number) => void;
  /** Bytes of the output buffer (grows for a bigger record). Default 32 KiB. */
  outputBufferSize?: number;
}

/**
 * Finals one emitFinal call may write at most: what is handed on between two checks of the
 * caller's output (so what a blocked output takes into its backlog after it blocked).
 */
const FINAL_CHUNK_RECORDS = 256;
/** An output that is never blocked (finish without a limit). */
const NEVER_BLOCKED = Object.freeze({ blocked: 0 });

/**
 * A rolling aggregation of a keyed stream, computed by the C++ addon straight from the framed
 * records a channel delivered: `feed` takes the bytes of a segment slice, so a record that is
 * only aggregated never becomes a JS object. Outputs come out as framed records of
 * `outputType`, ready to be decoded or handed on as bytes.
 *
 * `feed` takes whole records: it stops before a record cut by the end of its bytes and says
 * where, and its caller hands that record over whole later (RecordReader.nextSlice reassembles
 * records that span segments). Semantics: see native/core/keyed_aggregation.h (Flink's sum/min/max/minBy/maxBy, plus
 * count and avg).
 */
export class NativeKeyedAggregation {
  /** Type of the output records: the input type, or `TUPLE(key, DOUBLE)` for count and avg. */
  readonly outputType: TypeInformation<unknown>;
  private readonly native: NativeAggregation;
  private readonly output: NativeKeyedAggregationOptions['output'];
  private readonly result = new Int32Array(5);
  private out: Buffer;
  private outPos = 0;
  /** True once finish() emitted every final. */
  private finalsDone = false;

  constructor(options: NativeKeyedAggregationOptions) {
    const { type, aggregation } = options;
    if (!isNativeAggregatable(type)) {
      throw errors.invalidArgumentType('type', type.name, 'native keyed state needs declared types without GENERIC parts');
    }
    const kind = AggregationKindCode[aggregation];
    if (kind === undefined) {
      throw errors.argumentOutOfRange('aggregation', aggregation, `expected one of ${Object.keys(AggregationKindCode).join(', ')}`);
    }
    const fieldTypes = topLevelFields(type);
    const keyFields = options.keyFields.map((f) => fieldIndex(type, f, 'key field'));
    const field = aggregation === 'count' ? -1 : fieldIndex(type, options.field ?? -1, `${aggregation} field`);
    this.native = new (loadNativeAddon().KeyedAggregation)({
      descriptor: describeType(type),
      keyFields: Int32Array.from(keyFields),
      kind,
      field,
      streaming: options.mode === 'STREAMING',
      maxParallelism: options.maxParallelism,
      managedMemory: options.managedMemory.view,
      operatorName: options.operatorName,
    });
    if (aggregation === 'count' || aggregation === 'avg') {
      const keyType = keyFields.length === 1 ? fieldTypes[keyFields[0]!]! : Types.TUPLE(...keyFields.map((i) => fieldTypes[i]!));
      this.outputType = Types.TUPLE(keyType, Types.DOUBLE);
    } else {
      this.outputType = type;
    }
    this.output = options.output;
    this.out = Buffer.allocUnsafeSlow(options.outputBufferSize ?? 32 * 1024);
  }

  /**
   * Aggregates the whole framed records in `input[start, end)` (with or without timestamps);
   * returns where it stopped: `end`, the start of a record cut by `end`, which the caller hands
   * over whole later, or the start of a watermark or watermark status frame, which the caller
   * handles before it feeds the records after it.
   */
  feed(input: Uint8Array, start: number, end: number): number {
    let pos = start;
    while (pos < end) {
      pos += this.run(input, pos, end);
      const status = this.result[3];
      if (status === ProcessStatus.INCOMPLETE || status === ProcessStatus.ELEMENT) break;
    }
    this.flush();
    return pos;
  }

  /**
   * Ends the input: in BATCH mode emits the final aggregate of every key, in the order keys
   * were first seen, in steps: about `maxRecords` per call (rounded up to a chunk of
   * FINAL_CHUNK_RECORDS), handed to `output` chunk by chunk, and no further chunk once
   * `output.blocked` is non-zero (the caller's output cannot take more). The native cursor
   * keeps its place between calls. Returns true once every final is out (later calls return
   * true at once), false when it stopped early: call again to go on.
   */
  finish(maxRecords = Number.POSITIVE_INFINITY, output: { readonly blocked: number } = NEVER_BLOCKED): boolean {
    if (this.finalsDone) return true;
    const result = this.result;
    let left = maxRecords;
    while (output.blocked === 0) {
      this.native.emitFinal(this.out, this.outPos, this.out.length, result, FINAL_CHUNK_RECORDS);
      this.outPos += result[1]!;
      left -= result[2]!;
      const status = result[3]!;
      if (status === ProcessStatus.OUTPUT_FULL) this.makeRoom(result[4]!);
      else this.flush();
      if (status === ProcessStatus.DONE) {
        this.finalsDone = true;
        return true;
      }
      if (left <= 0) break;
    }
    this.flush();
    return false;
  }

  /** The state (all key groups, or the inclusive range) as bytes, for `restore`. */
  snapshot(keyGroupStart?: number, keyGroupEnd?: number): Uint8Array {
    return this.native.snapshot(keyGroupStart, keyGroupEnd);
  }

  /** Adds the keys of a snapshot taken from an aggregation of the same kind, fields and type. */
  restore(bytes: Uint8Array): void {
    this.native.restore(bytes);
  }

  /** Keys held, bytes of managed memory held, records aggregated. */
  stats(): { keys: number; memoryBytes: number; recordsIn: number } {
    return this.native.stats();
  }

  /**
   * Frees the state and returns its managed memory now, instead of when the object is garbage
   * collected: call it when the task ends, and always after a failure. Idempotent.
   */
  close(): void {
    this.native.close();
  }

  /** Runs the native step on input[pos, end); returns input bytes consumed. Handles a full output. */
  private run(input: Uint8Array, pos: number, end: number): number {
    const result = this.result;
    let consumed = 0;
    for (;;) {
      this.native.process(input, pos + consumed, end, this.out, this.outPos, this.out.length, result);
      consumed += result[0]!;
      this.outPos += result[1]!;
      if (result[3] !== ProcessStatus.OUTPUT_FULL) return consumed;
      this.makeRoom(result[4]!);
    }
  }

  /** Hands the buffered outputs on and, if `needed` bytes still do not fit, grows the buffer. */
  private makeRoom(needed: number): void {
    this.flush();
    if (needed > this.out.length) this.out = Buffer.allocUnsafeSlow(Math.max(needed, this.out.length * 2));
  }

  private flush(): void {
    if (this.outPos === 0) return;
    const n = this.outPos;
    this.outPos = 0;
    this.output(this.out, 0, n);
  }
}

function topLevelFields(type: TypeInformation<unknown>): readonly TypeInformation<unknown>[] {
  const fields = (type as { fieldTypes?: readonly TypeInformation<unknown>[] }).fieldTypes;
  return fields ?? [type];
}

function fieldIndex(type: TypeInformation<unknown>, field: number | string, what: string): number {
  if (typeof field === 'string') {
    const names = (type as { fieldNames?: readonly string[] }).fieldNames;
    const i = names ? names.indexOf(field) : -1;
    if (i < 0) {
      throw errors.argumentOutOfRange(what, field, names ? `expected one of ${names.join(', ')}` : `${type.name} has no named fields`);
    }
    return i;
  }
  const n = topLevelFields(type).length;
  if (!Number.isInteger(field) || field < 0 || field >= n) {
    throw errors.argumentOutOfRange(what, field, `expected a field position from 0 to ${n - 1} of ${type.name}`);
  }
  return field;
}
