import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineJob, isJobDefinition } from '../../src/api/define-job.js';
import { StreamExecutionEnvironment } from '../../src/api/stream-execution-environment.js';
import { ConfigurationError } from '../../src/errors.js';
import { fingerprint } from '../../src/graph/stream-graph.js';
import { Types } from '../../src/types/type-information.js';

const wordCount = defineJob((env) => {
  env
    .fromElements('to be or not to be', 'that is the question')
    .flatMap((line: string, out: (w: [string, number]) => void) => {
      for (const word of line.toLowerCase().split(/\W+/)) if (word) out([word, 1]);
    })
    .returns(Types.TUPLE(Types.STRING, Types.DOUBLE))
    .name('Tokenizer')
    .keyBy(0)
    .sum(1)
    .print();
  return 'WordCount';
});

function build(job = wordCount, configure?: (env: StreamExecutionEnvironment) => void) {
  const env = new StreamExecutionEnvironment();
  configure?.(env);
  const name = job.build(env, {}) ?? 'job';
  return env.getStreamGraph(name);
}

test('WordCount builds Flink’s graph: source -> flatMap -> (hash) sum -> print', () => {
  const graph = build();
  assert.equal(graph.jobName, 'WordCount');
  assert.deepEqual(
    graph.nodes.map((n) => [n.id, n.name, n.operator.kind, n.parallelism, n.chaining]),
    [
      [0, 'Source: Collection Source', 'source', 1, 'HEAD'],
      [1, 'Tokenizer', 'flatMap', -1, 'ALWAYS'],
      [2, 'Keyed Aggregation', 'aggregate', -1, 'ALWAYS'],
      [3, 'Sink: Print to Std. Out', 'sink', -1, 'ALWAYS'],
    ],
  );
  assert.deepEqual(
    graph.edges.map((e) => [e.source, e.target, e.partitioner ?? null, e.key?.kind === 'fields' ? e.key.fields : null]),
    [
      [0, 1, null, null],
      [1, 2, 'HASH', [0]],
      [2, 3, null, null],
    ],
  );
  assert.equal(graph.nodes[0]!.outputType, Types.STRING, 'fromElements of strings is typed STRING');
  assert.equal(graph.nodes[2]!.outputType?.name, 'TUPLE(STRING, DOUBLE)');
  assert.ok(isJobDefinition(wordCount));
});

test('the same job module builds the same fingerprint; a different job does not', () => {
  assert.equal(fingerprint(build()), fingerprint(build()));
  const other = defineJob((env) => {
    env.fromElements(1, 2, 3).map((x: number) => x * 2).print();
  });
  assert.notEqual(fingerprint(build(other)), fingerprint(build()));
  // A job whose shape depends on something that differs between threads is caught by the fingerprint.
  let calls = 0;
  const nondeterministic = defineJob((env) => {
    const s = env.fromElements(1, 2, 3);
    (calls++ === 0 ? s : s.filter(() => true)).print();
  });
  assert.notEqual(fingerprint(build(nondeterministic)), fingerprint(build(nondeterministic)));
});

test('partitioning, union, settings and key selectors land in the graph', () => {
  const job = defineJob((env) => {
    const a = env.fromSequence(1, 100).setParallelism(3).name('numbers').uid('numbers');
    const b = env.fromSequence(101, 200);
    a.union(b)
      .rebalance()
      .map((x: number) => [x % 7, x] as [number, number])
      .setParallelism(2)
      .disableChaining()
      .slotSharingGroup('heavy')
      .keyBy((r: [number, number]) => r[0])
      .reduce((acc, v) => [acc[0], acc[1] + v[1]])
      .startNewChain()
      .writeAsText('/tmp/out')
      .setParallelism(1);
  });
  const graph = build(job, (env) => env.setParallelism(4));
  const map = graph.nodes.find((n) => n.operator.kind === 'map')!;
  assert.deepEqual([map.parallelism, map.chaining, map.slotSharingGroup], [2, 'NEVER', 'heavy']);
  assert.deepEqual(
    graph.edges.filter((e) => e.target === map.id).map((e) => [e.source, e.partitioner]),
    [
      [0, 'REBALANCE'],
      [1, 'REBALANCE'],
    ],
  );
  const reduce = graph.nodes.find((n) => n.operator.kind === 'reduce')!;
  assert.equal(reduce.chaining, 'HEAD');
  const keyEdge = graph.edges.find((e) => e.target === reduce.id)!;
  assert.equal(keyEdge.partitioner, 'HASH');
  assert.equal(keyEdge.key?.kind, 'selector');
  assert.equal(graph.nodes[0]!.uid, 'numbers');
});

test('ROW field names resolve to positions; count and avg get a [key, number] type', () => {
  const job = defineJob((env) => {
    const rows = env
      .fromElements({ shop: 'a', amount: 1 })
      .returns(Types.ROW({ shop: Types.STRING, amount: Types.DOUBLE }));
    rows.keyBy('shop').sum('amount').print();
    rows.keyBy('shop').count().print();
  });
  const graph = build(job);
  const [sum, count] = graph.nodes.filter((n) => n.operator.kind === 'aggregate');
  assert.deepEqual(sum!.operator, { kind: 'aggregate', aggregation: 'sum', field: 'amount', key: { kind: 'fields', fields: [0], names: ['shop'] } });
  assert.equal(count!.outputType?.name, 'TUPLE(STRING, DOUBLE)');
});

test('bad arguments fail at the call with the option and value named', () => {
  const env = new StreamExecutionEnvironment();
  const s = env.fromElements('a');
  assert.throws(() => s.map(42 as never), /Invalid map function 42: expected a function/);
  assert.throws(() => s.setParallelism(3), /this source is not parallel/);
  assert.throws(() => env.fromSequence(1, 10).setParallelism(0), /expected an integer from 1 to 32768/);
  assert.throws(() => s.keyBy('word'), /field names need a ROW type/);
  assert.throws(() => env.fromSequence(5, 1), /from must not be larger than to/);
  assert.throws(() => env.socketTextStream('localhost', 70000), /Invalid port 70000/);
  assert.throws(() => env.setParallelism(0), ConfigurationError);
  assert.throws(() => env.setRuntimeMode('FAST' as never), ConfigurationError);
  env.setRuntimeMode('batch' as never);
  assert.equal(env.getRuntimeMode(), 'BATCH', 'enums are case-insensitive');
  const dup = defineJob((e) => {
    e.fromElements(1).uid('x').map((v: number) => v).uid('x').print();
  });
  assert.throws(() => build(dup), /uids must be unique/);
  assert.throws(() => defineJob('nope' as never), /expected a function/);
});

test("writeAsText takes Flink's write modes (FileSystem.WriteMode or the string) and refuses others, naming them", async () => {
  const { FileSystem } = await import('../../src/index.js');
  const env = new StreamExecutionEnvironment();
  const stream = env.fromElements(1, 2);
  stream.writeAsText('/tmp/a', FileSystem.WriteMode.OVERWRITE);
  stream.writeAsText('/tmp/b', 'NO_OVERWRITE');
  stream.writeAsText('/tmp/c');
  const specs = env.getStreamGraph('modes').nodes.flatMap((n) => (n.operator.kind === 'sink' && n.operator.sink.kind === 'textFile' ? [n.operator.sink.writeMode] : []));
  assert.deepEqual(specs, ['OVERWRITE', 'NO_OVERWRITE', undefined]);
  assert.throws(
    () => stream.writeAsText('/tmp/d', 'overwrite' as never),
    (error: unknown) => error instanceof TypeError && /writeMode "overwrite".*'NO_OVERWRITE' or 'OVERWRITE'/.test(error.message),
  );
});

test('connect feeds a two-input Co-Map: the first stream (a union too) into input 0, the other into input 1', () => {
  const job = defineJob((env) => {
    const a = env.fromSequence(1, 10);
    const b = env.fromSequence(11, 20);
    const words = env.fromElements('x', 'y').rebalance();
    a.union(b)
      .connect(words)
      .map(
        (n: number) => n,
        (w: string) => w.length,
      )
      .print();
  });
  const graph = build(job);
  const coMap = graph.nodes.find((n) => n.operator.kind === 'coMap')!;
  assert.equal(coMap.name, 'Co-Map');
  assert.deepEqual(
    graph.edges.filter((e) => e.target === coMap.id).map((e) => [e.source, e.partitioner ?? null, e.inputIndex]),
    [
      [0, null, 0],
      [1, null, 0],
      [2, 'REBALANCE', 1],
    ],
  );
  // The input index is part of the graph's fingerprint: a worker that wired the inputs differently is refused.
  const swapped = { ...graph, edges: graph.edges.map((e) => (e.target === coMap.id ? { ...e, inputIndex: 1 - (e.inputIndex ?? 0) } : e)) };
  assert.notEqual(fingerprint(swapped), fingerprint(graph));
  assert.throws(() => new StreamExecutionEnvironment().fromSequence(1, 2).connect({} as never), TypeError);
});
