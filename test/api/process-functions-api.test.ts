/**
 * The DataStream API of process functions, rich functions and side outputs: what it puts in the
 * StreamGraph (kinds, keys, side-output edges in the fingerprint, GENERIC side-output types, the
 * explained plan) and the clear errors for misuse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamExecutionEnvironment } from '../../src/api/stream-execution-environment.js';
import { KeyedProcessFunction } from '../../src/functions/keyed-process-function.js';
import { OutputTag } from '../../src/functions/output-tag.js';
import { ProcessFunction } from '../../src/functions/process-function.js';
import { RichMapFunction } from '../../src/functions/rich-function.js';
import { createExecutionPlan } from '../../src/graph/execution-plan.js';
import { explainPlan } from '../../src/graph/explain.js';
import { createJobGraph } from '../../src/graph/job-graph.js';
import { inputTypeOf } from '../../src/graph/physical-plan.js';
import { fingerprint } from '../../src/graph/stream-graph.js';
import { Types } from '../../src/types/type-information.js';
import { networkConfig, OPTIONS } from '../graph/graph-builder.js';

class PassThrough extends ProcessFunction<number, number> {
  processElement(value: number, _ctx: unknown, out: { collect(v: number): void }): void {
    out.collect(value);
  }
}

class KeyedPassThrough extends KeyedProcessFunction<number, number, number> {
  processElement(value: number, _ctx: unknown, out: { collect(v: number): void }): void {
    out.collect(value);
  }
}

class Plus extends RichMapFunction<number, number> {
  map(value: number): number {
    return value + 1;
  }
}

const LATE = new OutputTag<number>('late');

function graphOf(build: (env: StreamExecutionEnvironment) => void) {
  const env = new StreamExecutionEnvironment();
  build(env);
  return env.getStreamGraph('job');
}

describe('process functions in the StreamGraph', () => {
  it('process, keyBy().process and getSideOutput build the nodes and edges Flink would', () => {
    const graph = graphOf((env) => {
      const processed = env.fromSequence(1, 10).returns(Types.DOUBLE).process(new PassThrough());
      processed.keyBy((v: number) => v % 3).process(new KeyedPassThrough()).print();
      processed.getSideOutput(LATE).map(new Plus()).print();
    });
    assert.deepEqual(
      graph.nodes.map((n) => [n.name, n.operator.kind]),
      [
        ['Source: Sequence Source', 'source'],
        ['Process', 'process'],
        ['KeyedProcess', 'keyedProcess'],
        ['Sink: Print to Std. Out', 'sink'],
        ['Map', 'map'],
        ['Sink: Print to Std. Out', 'sink'],
      ],
    );
    const side = graph.edges.find((e) => e.target === 4)!;
    assert.equal(side.sideOutputTag?.id, 'late');
    assert.equal(graph.edges.find((e) => e.target === 2)!.partitioner, 'HASH');
    const map = graph.nodes[4]!.operator;
    assert.ok(map.kind === 'map' && map.rich instanceof Plus && map.fn(1) === 2, 'a rich map keeps its object and calls its map');
    // A side output is GENERIC (tags carry no type) even when the main output is declared.
    assert.equal(inputTypeOf(graph, 4), Types.GENERIC);
    assert.match(fingerprint(graph), /"late"/);
    const plan = createExecutionPlan(createJobGraph(graph, OPTIONS), { numberOfTaskSlots: 2, network: networkConfig() });
    assert.match(explainPlan(plan), /side output 'late'/);
  });

  it('two jobs that differ only in a side-output tag have different fingerprints', () => {
    const withTag = (id: string) =>
      fingerprint(graphOf((env) => env.fromSequence(1, 2).process(new PassThrough()).getSideOutput(new OutputTag(id)).print()));
    assert.notEqual(withTag('a'), withTag('b'));
  });
});

describe('process function misuse fails clearly', () => {
  const env = () => new StreamExecutionEnvironment();

  it('a KeyedProcessFunction on a non-keyed stream says to keyBy first', () => {
    assert.throws(() => env().fromSequence(1, 2).process(new KeyedPassThrough() as never), /KeyedProcessFunction needs a keyed stream: call keyBy/);
  });

  it('a plain object or a function is not a process function', () => {
    assert.throws(() => env().fromSequence(1, 2).process({ processElement() {} } as never), /extending ProcessFunction or KeyedProcessFunction/);
    assert.throws(() => env().fromSequence(1, 2).process(((v: number) => v) as never), /extending ProcessFunction/);
  });

  it('map with an object that is not a rich function names what is expected', () => {
    assert.throws(() => env().fromSequence(1, 2).map({ map: (v: number) => v } as never), /RichMapFunction/);
  });

  it('getSideOutput needs an OutputTag', () => {
    assert.throws(() => env().fromSequence(1, 2).process(new PassThrough()).getSideOutput('late' as never), /expected an OutputTag/);
  });

  it('getRuntimeContext in a constructor says when it becomes available', () => {
    class Early extends RichMapFunction<number, number> {
      constructor() {
        super();
        this.getRuntimeContext();
      }
      map(v: number): number {
        return v;
      }
    }
    assert.throws(() => new Early(), /use getRuntimeContext\(\) in open\(\) or later/);
  });
});

describe('getSideOutput across copies of strom', () => {
  it("takes a tag made by another copy of strom's OutputTag (a job's sources run by the CLI's build), and still rejects non-tags", async () => {
    // A query string makes the module loader evaluate a second, separate copy of the class.
    const url = new URL('../../src/functions/output-tag.js?second-copy', import.meta.url).href;
    const copy = (await import(url)) as typeof import('../../src/functions/output-tag.js');
    assert.notEqual(copy.OutputTag, OutputTag);
    const foreign = new copy.OutputTag<number>('late');
    assert.equal(foreign instanceof OutputTag, false);
    const graph = graphOf((env) => env.fromSequence(1, 2).process(new PassThrough()).getSideOutput(foreign).print());
    assert.ok(graph.edges.some((e) => e.sideOutputTag?.id === 'late'));
    const env = new StreamExecutionEnvironment();
    assert.throws(() => env.fromSequence(1, 2).process(new PassThrough()).getSideOutput({ id: 'late' } as never), /expected an OutputTag/);
  });
});
