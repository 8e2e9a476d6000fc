/**
 * Keyed state (issue 3): rolling `count` / `sum` per key, computed by the C++ addon straight
 * from framed segments (`NativeKeyedAggregation.feed`), against a JS Map fed with records that
 * are already JS values, and a JS Map fed from the same segments through strom's TS serializer.
 *
 * Records are `[key, 1]`, `TUPLE(STRING, DOUBLE)` with Zipf-distributed word-like keys, or
 * `TUPLE(LONG, DOUBLE)` with Zipf-distributed 64-bit keys. Each data set is generated,
 * serialized and cut into whole-record chunks of at most 32 KiB once, outside the timing, and
 * shared by every benchmark of the set (only one set is held at a time: declaration order
 * groups them). Every repetition times one pass over all records with fresh state; a first
 * untimed pass warms the JIT. Each repetition checks records in and distinct keys; the native
 * BATCH entries also check every final aggregate against the Map's once.
 */
import { performance } from 'node:perf_hooks';
import { ManagedMemory, NativeKeyedAggregation } from '../lib/strom-state.js';
import { DataInputView, DataOutputView, Types } from '../lib/strom-types.js';
import { timedPasses as timedRuns, type TimedPass } from '../lib/timed-passes.js';
import type { BenchmarkDef, Goal, Measurement, RunOptions, Suite } from '../lib/types.js';
import { wordForRank, zipfRanks } from '../lib/zipf.js';

/** Chunk size: strom's default segment size. Chunks end at record boundaries. */
const CHUNK_BYTES = 32 * 1024;
const MANAGED_BUDGET = 2 ** 30;
const MAX_PARALLELISM = 128;

type KeyKind = 'string' | 'long';
type Agg = 'count' | 'sum';
type Key = string | bigint;

interface DataSetSpec {
  keyKind: KeyKind;
  distinct: number;
  label: string;
  /** Records at scale 1. */
  records: number;
}

/** 1M keys get 3x the records so that most keys appear (the distinct keys seen are reported). */
const SETS: DataSetSpec[] = [
  { keyKind: 'string', distinct: 1_000, label: '1k', records: 2_000_000 },
  { keyKind: 'string', distinct: 100_000, label: '100k', records: 2_000_000 },
  { keyKind: 'string', distinct: 1_000_000, label: '1M', records: 6_000_000 },
  { keyKind: 'long', distinct: 1_000, label: '1k', records: 2_000_000 },
  { keyKind: 'long', distinct: 100_000, label: '100k', records: 2_000_000 },
  { keyKind: 'long', distinct: 1_000_000, label: '1M', records: 6_000_000 },
];

interface DataSet {
  spec: DataSetSpec;
  records: number;
  type: ReturnType<typeof Types.TUPLE>;
  /** Records as JS values, for the plain Map baseline. */
  tuples: [Key, number][];
  /** Whole-record chunks (views of one buffer) and a DataView per chunk, for decoding. */
  chunks: Buffer[];
  views: DataView[];
  bytes: number;
  /** The reference: final count per key (sum equals count, every value is 1). */
  expected: Map<Key, number>;
  /** Average serialized key bytes of the distinct keys seen (4 + UTF-8 length, or 8). */
  avgKeyBytes: number;
}

let cached: DataSet | undefined;

/** A scrambled signed 64-bit key per rank, so the keys are not small consecutive integers. */
function longForRank(r: number): bigint {
  return BigInt.asIntN(64, (BigInt(r) + 1n) * 0x9e3779b97f4a7c15n);
}

function dataSet(spec: DataSetSpec, scale: number): DataSet {
  const records = Math.max(10_000, Math.round(spec.records * scale));
  if (cached && cached.spec === spec && cached.records === records) return cached;
  cached = undefined; // let the previous set go before building the next
  const ranks = zipfRanks(spec.distinct, records, 42 + spec.distinct);
  const keyOf: Key[] = new Array(spec.distinct);
  for (let r = 0; r < spec.distinct; r++) keyOf[r] = spec.keyKind === 'string' ? wordForRank(r) : longForRank(r);
  const type = Types.TUPLE(spec.keyKind === 'string' ? Types.STRING : Types.LONG, Types.DOUBLE);
  const serializer = type.createSerializer() as unknown as { write(v: unknown, out: DataOutputView): void };
  const out = new DataOutputView(1 << 20);
  const tuples: [Key, number][] = new Array(records);
  const boundaries: number[] = [0];
  let chunkStart = 0;
  const expected = new Map<Key, number>();
  for (let i = 0; i < records; i++) {
    const key = keyOf[ranks[i]!]!;
    const tuple: [Key, number] = [key, 1];
    tuples[i] = tuple;
    expected.set(key, (expected.get(key) ?? 0) + 1);
    const start = out.pos;
    out.writeInt32(0);
    out.writeUint8(0);
    serializer.write(tuple, out);
    out.view.setInt32(start, out.pos - start - 4, true);
    if (out.pos - chunkStart > CHUNK_BYTES) {
      // this record does not fit: the chunk ends before it
      boundaries.push(start);
      chunkStart = start;
    }
  }
  boundaries.push(out.pos);
  const all = Buffer.from(out.buf.subarray(0, out.pos));
  const chunks: Buffer[] = [];
  const views: DataView[] = [];
  for (let c = 0; c + 1 < boundaries.length; c++) {
    const chunk = all.subarray(boundaries[c]!, boundaries[c + 1]!);
    chunks.push(chunk);
    views.push(new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  let keyBytes = 0;
  for (const key of expected.keys()) keyBytes += typeof key === 'string' ? 4 + Buffer.byteLength(key) : 8;
  cached = { spec, records, type, tuples, chunks, views, bytes: all.length, expected, avgKeyBytes: keyBytes / expected.size };
  return cached;
}

const names = (s: DataSetSpec, agg: Agg) => {
  const suffix = `${agg} ${s.label} ${s.keyKind} keys`;
  return {
    map: `Map ${suffix}`,
    decode: `decode+Map ${suffix}`,
    native: `native ${suffix}`,
    streaming: `native streaming ${suffix}`,
    memory: `native state bytes/key over key bytes ${s.label} ${s.keyKind} keys`,
  };
};

/** Runs `pass` once untimed, then `repeats` timed times; each pass returns a check it must pass. */
async function timedPasses(run: RunOptions, name: string, set: DataSet, pass: () => TimedPass): Promise<Measurement> {
  const { samples, repetitions } = await timedRuns(run, name, set.records, 'updates/s', pass);
  return {
    samples,
    work: { records: set.records, bytes: set.bytes, chunks: set.chunks.length, distinctKeys: set.spec.distinct, distinctKeysSeen: set.expected.size },
    details: { avgKeyBytes: set.avgKeyBytes, repetitions },
  };
}

function checkMap(map: Map<Key, number>, set: DataSet, what: string): void {
  if (map.size !== set.expected.size) throw new Error(`${what}: ${map.size} keys, expected ${set.expected.size}`);
  for (const [k, v] of set.expected) {
    if (map.get(k) !== v) throw new Error(`${what}: key ${String(k)} has ${map.get(k)}, expected ${v}`);
  }
}

function mapBenchmark(spec: DataSetSpec, agg: Agg): BenchmarkDef {
  const n = names(spec, agg);
  return {
    name: n.map,
    kind: 'micro',
    unit: 'updates/s',
    method: `JS Map<key, number> ${agg} over an array of [key, 1] tuples already decoded to JS values (prepared untimed); fresh Map per pass`,
    async run(run) {
      const set = dataSet(spec, run.scale);
      let last = new Map<Key, number>();
      const m = await timedPasses(run, n.map, set, () => {
        const tuples = set.tuples;
        const map = new Map<Key, number>();
        const t0 = performance.now();
        if (agg === 'count') {
          for (let i = 0; i < tuples.length; i++) {
            const k = tuples[i]![0];
            map.set(k, (map.get(k) ?? 0) + 1);
          }
        } else {
          for (let i = 0; i < tuples.length; i++) {
            const t = tuples[i]!;
            map.set(t[0], (map.get(t[0]) ?? 0) + t[1]);
          }
        }
        const elapsedMs = performance.now() - t0;
        last = map;
        return { elapsedMs };
      });
      checkMap(last, set, n.map);
      return m;
    },
  };
}

function decodeMapBenchmark(spec: DataSetSpec, agg: Agg): BenchmarkDef {
  const n = names(spec, agg);
  return {
    name: n.decode,
    kind: 'micro',
    unit: 'updates/s',
    baseline: n.map,
    method:
      `JS Map<key, number> ${agg} fed from the framed 32 KiB chunks: per record read the frame length, reset a DataInputView ` +
      `to the payload and decode it with the TUPLE serializer (as RecordReader does), then update the Map`,
    async run(run) {
      const set = dataSet(spec, run.scale);
      const serializer = set.type.createSerializer() as unknown as { read(input: DataInputView): [Key, number] };
      const input = new DataInputView();
      let last = new Map<Key, number>();
      const m = await timedPasses(run, n.decode, set, () => {
        const map = new Map<Key, number>();
        const { chunks, views } = set;
        let records = 0;
        const t0 = performance.now();
        for (let c = 0; c < chunks.length; c++) {
          const buf = chunks[c]!;
          const view = views[c]!;
          const end = buf.length;
          let pos = 0;
          while (pos < end) {
            const length = view.getInt32(pos, true);
            input.reset(buf, view, pos + 5, pos + 4 + length);
            const t = serializer.read(input);
            if (agg === 'count') map.set(t[0], (map.get(t[0]) ?? 0) + 1);
            else map.set(t[0], (map.get(t[0]) ?? 0) + t[1]);
            pos += 4 + length;
            records++;
          }
        }
        const elapsedMs = performance.now() - t0;
        if (records !== set.records) throw new Error(`${n.decode}: decoded ${records} records, expected ${set.records}`);
        last = map;
        return { elapsedMs };
      });
      checkMap(last, set, n.decode);
      return m;
    },
  };
}

function newAggregation(set: DataSet, agg: Agg, mode: 'BATCH' | 'STREAMING', output: (b: Uint8Array, s: number, e: number) => void) {
  return new NativeKeyedAggregation({
    type: set.type,
    keyFields: [0],
    aggregation: agg,
    field: agg === 'sum' ? 1 : undefined,
    mode,
    maxParallelism: MAX_PARALLELISM,
    managedMemory: ManagedMemory.create(MANAGED_BUDGET),
    operatorName: 'bench-keyed-state',
    output,
  });
}

/** Feeds all chunks once; returns elapsed ms and the state's stats (checked). */
function feedAll(set: DataSet, aggregation: NativeKeyedAggregation, what: string) {
  const chunks = set.chunks;
  const t0 = performance.now();
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    aggregation.feed(chunk, 0, chunk.length);
  }
  const elapsedMs = performance.now() - t0;
  const stats = aggregation.stats();
  if (stats.recordsIn !== set.records || stats.keys !== set.expected.size) {
    throw new Error(`${what}: ${stats.recordsIn} records in, ${stats.keys} keys; expected ${set.records}, ${set.expected.size}`);
  }
  return { elapsedMs, stats };
}

/** Finishes a BATCH aggregation and checks every final aggregate against the reference. */
function verifyFinals(set: DataSet, agg: Agg, what: string): void {
  const outputs: Buffer[] = [];
  const aggregation = newAggregation(set, agg, 'BATCH', (b, s, e) => outputs.push(Buffer.from(b.subarray(s, e))));
  try {
    feedAll(set, aggregation, what);
    aggregation.finish();
    const bytes = Buffer.concat(outputs);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const serializer = aggregation.outputType.createSerializer() as unknown as { read(input: DataInputView): [Key, number] };
    const input = new DataInputView();
    const finals = new Map<Key, number>();
    for (let pos = 0; pos < bytes.length; ) {
      const length = view.getInt32(pos, true);
      input.reset(bytes, view, pos + 5, pos + 4 + length);
      const [k, v] = serializer.read(input);
      if (finals.has(k)) throw new Error(`${what}: key ${String(k)} emitted twice`);
      finals.set(k, v);
      pos += 4 + length;
    }
    checkMap(finals, set, `${what} finals`);
  } finally {
    aggregation.close();
  }
}

function nativeBenchmark(spec: DataSetSpec, agg: Agg): BenchmarkDef {
  const n = names(spec, agg);
  return {
    name: n.native,
    kind: 'micro',
    unit: 'updates/s',
    baseline: n.decode,
    method:
      `NativeKeyedAggregation ${agg}, mode BATCH (no output per record), fresh state and 1 GiB managed-memory account per pass: ` +
      `feed(chunk, 0, length) over every 32 KiB chunk; finish() untimed once to check every final against the Map`,
    async run(run) {
      const set = dataSet(spec, run.scale);
      let stats: { keys: number; memoryBytes: number } | undefined;
      const m = await timedPasses(run, n.native, set, () => {
        const aggregation = newAggregation(set, agg, 'BATCH', () => {
          throw new Error('BATCH emitted output before finish()');
        });
        try {
          const r = feedAll(set, aggregation, n.native);
          stats = r.stats;
          return { elapsedMs: r.elapsedMs };
        } finally {
          aggregation.close();
        }
      });
      verifyFinals(set, agg, n.native);
      m.details = { ...m.details, stateKeys: stats!.keys, memoryBytes: stats!.memoryBytes, memoryBytesPerKey: stats!.memoryBytes / stats!.keys };
      return m;
    },
  };
}

function streamingBenchmark(spec: DataSetSpec, agg: Agg): BenchmarkDef {
  const n = names(spec, agg);
  return {
    name: n.streaming,
    kind: 'micro',
    unit: 'updates/s',
    baseline: n.native,
    method:
      `NativeKeyedAggregation ${agg}, mode STREAMING: like the BATCH entry, but every record emits its updated aggregate ` +
      `as a framed [key, DOUBLE] record into a sink that only counts bytes (checked: equal to the input bytes)`,
    async run(run) {
      const set = dataSet(spec, run.scale);
      return timedPasses(run, n.streaming, set, () => {
        let outBytes = 0;
        const aggregation = newAggregation(set, agg, 'STREAMING', (_b, s, e) => {
          outBytes += e - s;
        });
        try {
          const r = feedAll(set, aggregation, n.streaming);
          // [key, DOUBLE] out per [key, DOUBLE] in: the same framed size.
          if (outBytes !== set.bytes) throw new Error(`${n.streaming}: ${outBytes} output bytes, expected ${set.bytes}`);
          return { elapsedMs: r.elapsedMs };
        } finally {
          aggregation.close();
        }
      });
    },
  };
}

/** Not a rate: managed memory per key minus the average serialized key bytes, after one untimed pass. */
function memoryBenchmark(spec: DataSetSpec): BenchmarkDef {
  const n = names(spec, 'count');
  return {
    name: n.memory,
    kind: 'micro',
    unit: 'bytes/key',
    method:
      'count, BATCH, all records fed once: stats().memoryBytes / stats().keys minus the average serialized key bytes ' +
      '(4 + UTF-8 length for strings, 8 for longs) of the distinct keys seen',
    async run(run) {
      const set = dataSet(spec, run.scale);
      const aggregation = newAggregation(set, 'count', 'BATCH', () => {});
      try {
        const { stats } = feedAll(set, aggregation, n.memory);
        const perKey = stats.memoryBytes / stats.keys;
        const overhead = perKey - set.avgKeyBytes;
        run.log?.(`  ${n.memory}: ${perKey.toFixed(1)} bytes/key, keys ${set.avgKeyBytes.toFixed(1)} bytes on average`);
        return {
          samples: [overhead],
          work: { records: set.records, distinctKeysSeen: set.expected.size },
          details: { keys: stats.keys, memoryBytes: stats.memoryBytes, memoryBytesPerKey: perKey, avgKeyBytes: set.avgKeyBytes },
        };
      } finally {
        aggregation.close();
      }
    },
  };
}

const benchmarks: BenchmarkDef[] = [];
const goals: Goal[] = [];
for (const spec of SETS) {
  for (const agg of ['count', 'sum'] as const) {
    benchmarks.push(mapBenchmark(spec, agg), decodeMapBenchmark(spec, agg), nativeBenchmark(spec, agg));
    if (agg === 'count' && spec.keyKind === 'string' && spec.distinct === 100_000) benchmarks.push(streamingBenchmark(spec, agg));
    if (spec.keyKind === 'string' && spec.distinct === 100_000) {
      goals.push({ name: `keyed state: native ${agg} >= 3x decode+Map, 100k string keys`, benchmark: names(spec, agg).native, minRatio: 3 });
    }
  }
  if (spec.distinct >= 100_000) {
    benchmarks.push(memoryBenchmark(spec));
    goals.push({ name: `keyed state: memory per key <= key bytes + 48, ${spec.label} ${spec.keyKind} keys`, benchmark: names(spec, 'count').memory, maxValue: 48 });
  }
}

export const suite: Suite = { name: 'keyed-state', benchmarks, goals };
