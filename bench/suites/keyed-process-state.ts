/**
 * Keyed state of user functions (issue 10): a KeyedProcessFunction that adds each record's
 * amount to a `ValueState<DOUBLE>` of its key, run through the real KeyedProcessOperator (key
 * selector, setCurrentKey, the state object) on the state backend facade as jobs get it, with
 * `state.backend.type` `native` (the addon's managed memory) and `hashmap` (the JS heap), against
 * a plain JS `Map` loop over the same records. One thread, the runner's process.
 *
 * Records are `[key, 1]` tuples prepared untimed: STRING keys (`k` + a scrambled number, 8..11
 * bytes serialized) or DOUBLE keys (scrambled integers), drawn uniformly from N distinct keys
 * (seeded), so most of the N keys are held. Each repetition: a fresh operator and backend, one
 * timed pass over all records; an untimed warm-up pass first. Checked once per benchmark: every
 * key's sum read back through the state equals the Map's.
 */
import { performance } from 'node:perf_hooks';
import {
  DISCARDING_OUTPUT,
  KeyedProcessFunction,
  KeyedProcessOperator,
  KeyedStateBackends,
  ManagedMemory,
  ManualProcessingTimeService,
  NativeKeyedStateBackend,
  ValueStateDescriptor,
  type ValueState,
} from '../lib/strom-state.js';
import { Types } from '../lib/strom-types.js';
import { timedPasses as timedRuns, type TimedPass } from '../lib/timed-passes.js';
import type { BenchmarkDef, Goal, Measurement, RunOptions, Suite } from '../lib/types.js';
import { seededRandom } from '../lib/zipf.js';

const MAX_PARALLELISM = 128;
const MANAGED_BUDGET = 2 ** 30;
const NO_TIMESTAMP = Number.MIN_SAFE_INTEGER;

type KeyKind = 'string' | 'double';
type Key = string | number;
type Backend = 'native' | 'hashmap';

interface SetSpec {
  keyKind: KeyKind;
  distinct: number;
  label: string;
  records: number;
}

const SETS: SetSpec[] = [
  { keyKind: 'string', distinct: 100_000, label: '100k', records: 2_000_000 },
  { keyKind: 'string', distinct: 1_000_000, label: '1M', records: 3_000_000 },
  { keyKind: 'double', distinct: 100_000, label: '100k', records: 2_000_000 },
  { keyKind: 'double', distinct: 1_000_000, label: '1M', records: 3_000_000 },
];

interface DataSet {
  spec: SetSpec;
  tuples: [Key, number][];
  expected: Map<Key, number>;
  /** Average serialized key bytes of the keys seen (STRING: 4 + UTF-8 length; DOUBLE: 8). */
  avgKeyBytes: number;
}

let cached: DataSet | undefined;

function dataSet(spec: SetSpec, scale: number): DataSet {
  const records = Math.max(10_000, Math.round(spec.records * scale));
  if (cached && cached.spec === spec && cached.tuples.length === records) return cached;
  cached = undefined;
  const random = seededRandom(7 + spec.distinct);
  // A scrambled key per rank, so keys are neither consecutive nor sorted.
  const keyOf = (r: number): Key => {
    const scrambled = Math.imul(r + 1, 0x9e3779b1) >>> 0;
    return spec.keyKind === 'string' ? `k${scrambled}` : scrambled;
  };
  const tuples: [Key, number][] = new Array(records);
  const expected = new Map<Key, number>();
  for (let i = 0; i < records; i++) {
    const key = keyOf(Math.floor(random() * spec.distinct));
    tuples[i] = [key, 1];
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  let keyBytes = 0;
  for (const key of expected.keys()) keyBytes += typeof key === 'string' ? 4 + Buffer.byteLength(key) : 8;
  cached = { spec, tuples, expected, avgKeyBytes: keyBytes / expected.size };
  return cached;
}

const names = (s: SetSpec) => {
  const suffix = `${s.label} ${s.keyKind} keys`;
  return {
    map: `Map ValueState sum ${suffix}`,
    hashmap: `KeyedProcess heap ValueState ${suffix}`,
    native: `KeyedProcess native ValueState ${suffix}`,
    bytes: `KeyedProcess native state bytes/key over key bytes ${suffix}`,
  };
};

/** The user function: one ValueState<DOUBLE> read and written per record. */
class RunningSum extends KeyedProcessFunction<Key, [Key, number], never> {
  sum!: ValueState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor('sum', Types.DOUBLE));
  }
  processElement(value: [Key, number]): void {
    this.sum.update((this.sum.value() ?? 0) + value[1]);
  }
}

interface Instance {
  operator: KeyedProcessOperator;
  fn: RunningSum;
  backend: KeyedStateBackends<Key>;
  memory: ManagedMemory;
}

function instance(spec: SetSpec, type: Backend): Instance {
  const memory = ManagedMemory.create(MANAGED_BUDGET);
  const keyType = spec.keyKind === 'string' ? Types.STRING : Types.DOUBLE;
  const backend = new KeyedStateBackends<Key>({
    type,
    operatorName: 'bench keyed process',
    maxParallelism: MAX_PARALLELISM,
    keyGroupRange: { start: 0, end: MAX_PARALLELISM - 1 },
    keyType,
    currentProcessingTime: () => 0,
    createNative: (options) => new NativeKeyedStateBackend({ ...options, managedMemory: memory }),
  });
  const fn = new RunningSum();
  const operator = new KeyedProcessOperator(
    'bench keyed process',
    fn as never,
    {
      keySelector: (record) => (record as [Key, number])[0],
      maxParallelism: MAX_PARALLELISM,
      keyGroupRange: { start: 0, end: MAX_PARALLELISM - 1 },
      processingTimeService: new ManualProcessingTimeService(),
      stateBackend: backend,
      subtask: { taskName: 'bench', subtaskIndex: 0, parallelism: 1, maxParallelism: MAX_PARALLELISM, attemptNumber: 0 },
    },
    DISCARDING_OUTPUT,
  );
  operator.open();
  return { operator, fn, backend, memory };
}

/** Reads every key's sum back through the state and compares it with the reference. */
function verify(i: Instance, set: DataSet, what: string): void {
  for (const [key, sum] of set.expected) {
    i.operator.setCurrentKey(key);
    const got = i.fn.sum.value();
    if (got !== sum) throw new Error(`${what}: key ${String(key)} has ${got}, expected ${sum}`);
  }
}

async function timedPasses(run: RunOptions, name: string, set: DataSet, pass: () => TimedPass): Promise<Measurement> {
  const { samples, repetitions } = await timedRuns(run, name, set.tuples.length, 'records/s', pass);
  return {
    samples,
    work: { records: set.tuples.length, distinctKeys: set.spec.distinct, distinctKeysSeen: set.expected.size },
    details: { avgKeyBytes: set.avgKeyBytes, repetitions },
  };
}

/** Every record through the operator once; the elapsed ms. */
function feed(i: Instance, set: DataSet): number {
  const tuples = set.tuples;
  const operator = i.operator;
  const t0 = performance.now();
  for (let r = 0; r < tuples.length; r++) operator.processElement(tuples[r], NO_TIMESTAMP);
  return performance.now() - t0;
}

function mapBenchmark(spec: SetSpec): BenchmarkDef {
  const n = names(spec);
  return {
    name: n.map,
    kind: 'micro',
    unit: 'records/s',
    method: 'plain JS Map<key, number>: per record map.set(key, (map.get(key) ?? 0) + amount) over the prepared [key, 1] tuples; fresh Map per pass',
    async run(run) {
      const set = dataSet(spec, run.scale);
      let last = new Map<Key, number>();
      const m = await timedPasses(run, n.map, set, () => {
        const tuples = set.tuples;
        const map = new Map<Key, number>();
        const t0 = performance.now();
        for (let i = 0; i < tuples.length; i++) {
          const t = tuples[i]!;
          map.set(t[0], (map.get(t[0]) ?? 0) + t[1]);
        }
        const elapsedMs = performance.now() - t0;
        last = map;
        return { elapsedMs };
      });
      for (const [k, v] of set.expected) if (last.get(k) !== v) throw new Error(`${n.map}: key ${String(k)} has ${last.get(k)}, expected ${v}`);
      return m;
    },
  };
}

function operatorBenchmark(spec: SetSpec, type: Backend): BenchmarkDef {
  const n = names(spec);
  const name = type === 'native' ? n.native : n.hashmap;
  return {
    name,
    kind: 'micro',
    unit: 'records/s',
    baseline: type === 'native' ? n.hashmap : n.map,
    method:
      `KeyedProcessOperator.processElement per record, a KeyedProcessFunction doing sum.update((sum.value() ?? 0) + amount) on a ValueState<DOUBLE>, ` +
      `state.backend.type '${type}' (the facade a job gets, declared ${spec.keyKind === 'string' ? 'STRING' : 'DOUBLE'} key type); fresh operator and backend per pass`,
    async run(run) {
      const set = dataSet(spec, run.scale);
      let last: Instance | undefined;
      const m = await timedPasses(run, name, set, () => {
        last?.operator.close();
        global.gc?.();
        const heapBefore = process.memoryUsage().heapUsed;
        const i = instance(spec, type);
        const elapsedMs = feed(i, set);
        last = i;
        const stats = i.backend.stats();
        return { elapsedMs, details: { stateBytes: stats.memoryBytes, heapGrowthBytes: process.memoryUsage().heapUsed - heapBefore } };
      });
      verify(last!, set, name);
      const stats = last!.backend.stats();
      m.details = { ...m.details, stateEntries: stats.entries, stateBytes: stats.memoryBytes, stateBytesPerKey: stats.memoryBytes / stats.entries };
      last!.operator.close();
      return m;
    },
  };
}

/** Not a rate: the native backend's managed memory per key minus the average serialized key bytes. */
function bytesBenchmark(spec: SetSpec): BenchmarkDef {
  const n = names(spec);
  return {
    name: n.bytes,
    kind: 'micro',
    unit: 'bytes/key',
    method: "one untimed pass on state.backend.type 'native': managed memory charged (slots + entries) per key, minus the average serialized key bytes",
    async run(run) {
      const set = dataSet(spec, run.scale);
      const i = instance(spec, 'native');
      try {
        feed(i, set);
        const used = i.memory.usage().used;
        const perKey = used / set.expected.size;
        run.log?.(`  ${n.bytes}: ${perKey.toFixed(1)} bytes/key, keys ${set.avgKeyBytes.toFixed(1)} bytes on average`);
        return {
          samples: [perKey - set.avgKeyBytes],
          work: { records: set.tuples.length, distinctKeysSeen: set.expected.size },
          details: { managedMemoryUsed: used, memoryBytesPerKey: perKey, avgKeyBytes: set.avgKeyBytes },
        };
      } finally {
        i.operator.close();
      }
    },
  };
}

const benchmarks: BenchmarkDef[] = [];
const goals: Goal[] = [];
for (const spec of SETS) {
  const n = names(spec);
  benchmarks.push(mapBenchmark(spec), operatorBenchmark(spec, 'hashmap'), operatorBenchmark(spec, 'native'), bytesBenchmark(spec));
  goals.push({ name: `keyed process state: native >= 2x heap, ${spec.label} ${spec.keyKind} keys`, benchmark: n.native, minRatio: 2 });
  goals.push({ name: `keyed process state: native bytes per key <= key bytes + 48, ${spec.label} ${spec.keyKind} keys`, benchmark: n.bytes, maxValue: 48 });
}

export const suite: Suite = { name: 'keyed-process-state', benchmarks, goals };
