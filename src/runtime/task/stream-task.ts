/**
 * One subtask of a job running in a task slot: its input (a source reader or the channels from
 * upstream subtasks), its chain of operators, and its output (writers to downstream subtasks, or
 * a sink). Like Flink's StreamTask with its mailbox, it works in bounded steps so the subtasks
 * sharing a thread take turns: `step()` processes some input and returns whether it progressed,
 * has nothing to do (idle), waits for a promise (async source or sink), or finished.
 *
 * Layering: runtime -> state, io, memory, types.
 */
import { errors } from '../../errors.js';
import type { StreamGraph, StreamNode } from '../../graph/stream-graph.js';
import type { ChannelGroup } from '../../io/channel-group.js';
import { ChannelProducer } from '../../io/channel-producer.js';
import { BroadcastPartitioner } from '../../io/partitioner/broadcast-partitioner.js';
import type { ChannelSelector } from '../../io/partitioner/channel-selector.js';
import { ForwardPartitioner } from '../../io/partitioner/forward-partitioner.js';
import { GlobalPartitioner } from '../../io/partitioner/global-partitioner.js';
import { KeyGroupStreamPartitioner } from '../../io/partitioner/key-group-stream-partitioner.js';
import { RebalancePartitioner } from '../../io/partitioner/rebalance-partitioner.js';
import { RescalePartitioner } from '../../io/partitioner/rescale-partitioner.js';
import { ShufflePartitioner } from '../../io/partitioner/shuffle-partitioner.js';
import { ReadStatus, RecordReader } from '../../io/record-reader.js';
import { RecordWriter, type OutputAvailability } from '../../io/record-writer.js';
import type { ManagedMemory } from '../../memory/managed-memory.js';
import type { NetworkBufferPool } from '../../memory/network-buffer-pool.js';
import { JsKeyedAggregation } from '../../state/js-keyed-aggregation.js';
import { JsKeyedReduce } from '../../state/js-keyed-reduce.js';
import type { JsKey } from '../../state/js-keyed-state.js';
import { NativeKeyedAggregation } from '../../state/native-keyed-aggregation.js';
import { isNativeAggregatable } from '../../types/type-descriptor.js';
import { Types, type TypeInformation } from '../../types/type-information.js';
import type { OutputDeployment, TaskDeployment, TaskMetrics } from '../deployment.js';
import { createSinkWriter } from '../sinks/sink-writer.js';
import { createSourceReader, SourceStatus, type SourceReader } from '../sources/source-reader.js';
import { FrameDecoder } from './frame-decoder.js';
import { NativeCombiner } from './native-combiner.js';
import { keySelectorOf } from './key-selector.js';
import { SequentialSink } from './sequential-sink.js';
import { chainOperator, type Push } from './operator-chain.js';
import { nowMs, TaskState } from '../metrics/metrics-layout.js';
import { TaskMetricsWriter, type TaskCounters } from '../metrics/metrics-writer.js';

/**
 * What a step did: PROGRESS (took input or emitted), IDLE (no input), WAITING (on `waitingOn`: an
 * async source or sink), BACKPRESSURED (has input, or a source with more to give, or output to
 * hand over at its end, but its output cannot take more: await `outputAvailable()`), FINISHED.
 */
export const StepResult = { PROGRESS: 0, IDLE: 1, WAITING: 2, FINISHED: 3, BACKPRESSURED: 4 } as const;
export type StepResult = (typeof StepResult)[keyof typeof StepResult];

/** Everything of the slot a task needs. */
export interface TaskContext {
  graph: StreamGraph;
  pool: NetworkBufferPool;
  inputGroup: ChannelGroup | undefined;
  groups: (buffer: SharedArrayBuffer) => ChannelGroup;
  managedMemory: ManagedMemory;
  flushClock: Int32Array;
  mode: 'STREAMING' | 'BATCH';
  bufferTimeout: number;
  /** The job's metrics memory (metrics-layout.ts), or undefined when metrics are off. */
  metrics?: SharedArrayBuffer | undefined;
}

/** How often (ms) a task samples its keyed state's size and its native operator's counters. */
const STATE_SAMPLE_MS = 100;

/** A slice of framed records counts as this many records against a step's budget. */
const SLICE_WEIGHT = 256;

/** The type records have on the edges into `node`: the producers' common declared type, else GENERIC. */
export function inputTypeOf(graph: StreamGraph, nodeId: number): TypeInformation<unknown> {
  const types = graph.edges.filter((e) => e.target === nodeId).map((e) => graph.nodes[e.source]!.outputType);
  const first = types[0];
  return first && types.every((t) => t === first) ? first : Types.GENERIC;
}

export class StreamTask {
  readonly name: string;
  readonly deployment: TaskDeployment;
  /** A promise the task waits on (async source or sink); the scheduler clears it when settled. */
  waitingOn: Promise<unknown> | undefined;
  private readonly nodes: StreamNode[];
  private readonly source: SourceReader<unknown> | undefined;
  private readonly reader: RecordReader<unknown> | undefined;
  private readonly native: NativeKeyedAggregation | undefined;
  private readonly keyed: JsKeyedAggregation | JsKeyedReduce<unknown, JsKey> | undefined;
  private readonly writers: RecordWriter<unknown>[] = [];
  /** BATCH pre-aggregations in front of keyed outputs; they send their partials before the writers close. */
  private readonly combiners: NativeCombiner[] = [];
  private readonly sink: SequentialSink | undefined;
  private readonly push: Push;
  private readonly pool: NetworkBufferPool;
  private recordsFromSource = 0;
  /** Records the native aggregation took in, kept when it is closed. */
  private nativeRecordsIn = 0;
  /** running; closing (final results, sink close); draining (writers closed, backlogs left); finished. */
  private phase: 'running' | 'closing' | 'draining' | 'finished' = 'running';
  /** Blocked channels of all of the task's writers (shared with them; read by its source between records). */
  private readonly output: OutputAvailability = { blocked: 0 };
  /** When the current back-pressured period began (performance.now()), or 0. */
  private backPressuredSince = 0;
  /** Back-pressured time of the periods that ended, in ms. */
  private backPressuredMs = 0;
  private readonly startedAt = performance.now();
  private finishedAt = 0;
  /** This subtask's metrics block, or undefined when metrics are off. */
  private readonly metricsWriter: TaskMetricsWriter | undefined;
  /** The counters published at the end of each step (one object, filled in place). */
  private readonly counters: TaskCounters = { numRecordsIn: 0, numRecordsOut: 0, numBytesIn: 0, numBytesOut: 0, backPressuredNs: 0 };
  private lastStateSample = 0;
  /** Native recordsIn as last sampled (a native call, so sampled with the state, not every step). */
  private sampledNativeRecordsIn = 0;

  constructor(deployment: TaskDeployment, context: TaskContext) {
    this.deployment = deployment;
    this.name = deployment.name;
    this.pool = context.pool;
    this.metricsWriter = context.metrics && deployment.metricsBlock >= 0 ? new TaskMetricsWriter(context.metrics, deployment.metricsBlock) : undefined;
    this.metricsWriter?.start();
    const { graph } = context;
    this.nodes = deployment.nodeIds.map((id) => graph.nodes[id]!);
    const head = this.nodes[0]!;
    const tail = this.nodes[this.nodes.length - 1]!;
    const sub = { subtaskIndex: deployment.subtaskIndex, parallelism: deployment.parallelism };

    // The end of the chain: a sink, or writers to the downstream subtasks.
    let terminal: Push;
    if (tail.operator.kind === 'sink') {
      const spec = tail.operator.sink;
      if (spec.kind === 'collect') {
        const collect = deployment.collect!;
        const writer = new RecordWriter<unknown>({
          pool: context.pool,
          localPool: collect.localPool,
          channels: [new ChannelProducer(context.groups(collect.group), collect.ring)],
          serializer: this.typeInto(this.nodes.length - 1, graph).createSerializer(),
          selector: new ForwardPartitioner(),
          bufferTimeout: context.bufferTimeout,
          flushClock: context.flushClock,
          availability: this.output,
        });
        this.writers.push(writer);
        terminal = (record) => writer.emit(record);
      } else {
        const writer = createSinkWriter(spec, { ...sub, textFile: deployment.textFile });
        const sink = new SequentialSink(writer, tail.name, context.bufferTimeout, context.flushClock);
        this.sink = sink;
        terminal = (record) => {
          const pending = sink.write(record);
          if (pending) this.waitingOn = pending;
        };
      }
    } else {
      const emitters = deployment.outputs.map((output): Push => {
        const writer = this.createWriter(output, tail, context);
        this.writers.push(writer);
        const combiner = this.combinerFor(output, context, (record) => writer.emit(record));
        if (!combiner) return (record) => writer.emit(record);
        this.combiners.push(combiner);
        return (record) => combiner.add(record);
      });
      terminal = emitters.length === 1 ? emitters[0]! : (record) => {
        for (let i = 0; i < emitters.length; i++) emitters[i]!(record);
      };
    }

    // The chained record functions, from the tail back to the head (exclusive of a source or keyed head).
    let push = terminal;
    const firstChained = head.operator.kind === 'map' || head.operator.kind === 'flatMap' || head.operator.kind === 'filter' ? 0 : 1;
    const lastChained = tail.operator.kind === 'sink' ? this.nodes.length - 2 : this.nodes.length - 1;
    for (let i = lastChained; i >= firstChained; i--) push = chainOperator(this.nodes[i]!, push);

    // The head: a source, a keyed operator, or plain input into the chain.
    const op = head.operator;
    if (op.kind === 'source') {
      this.source = createSourceReader(op.source, sub);
      const into = push;
      this.push = (record) => {
        this.recordsFromSource++;
        into(record);
      };
      return;
    }
    const inputType = inputTypeOf(graph, head.id);
    if (!context.inputGroup) throw errors.internal(`task '${this.name}' has inputs but its slot has no input group`);
    if (op.kind === 'aggregate' || op.kind === 'reduce') {
      const maxParallelism = deployment.maxParallelism;
      const nativeKey = op.kind === 'aggregate' && op.key.kind === 'fields' && isNativeAggregatable(inputType) && inputType !== Types.GENERIC;
      if (nativeKey && op.kind === 'aggregate' && op.key.kind === 'fields') {
        const decoder = new FrameDecoder(head.outputType ?? Types.GENERIC, push);
        this.native = new NativeKeyedAggregation({
          type: inputType,
          keyFields: op.key.fields,
          aggregation: op.aggregation,
          field: op.field,
          mode: context.mode,
          maxParallelism,
          managedMemory: context.managedMemory,
          operatorName: `${head.name} (${deployment.subtaskIndex + 1}/${deployment.parallelism})`,
          output: (bytes, start, end) => decoder.decode(bytes, start, end),
        });
        this.reader = new RecordReader(context.pool, context.inputGroup, inputType.createSerializer(), deployment.inputRings);
        this.push = push;
        return;
      }
      const keySelector = keySelectorOf(op.key, inputType, head.name) as (record: unknown) => JsKey;
      const common = { operatorName: head.name, keySelector, mode: context.mode, maxParallelism, emit: push };
      this.keyed =
        op.kind === 'reduce'
          ? new JsKeyedReduce<unknown, JsKey>({ ...common, reduce: op.fn })
          : new JsKeyedAggregation({ ...common, aggregation: op.aggregation, field: op.field });
      const keyed = this.keyed;
      this.push = (record) => void keyed.process(record);
    } else {
      this.push = push;
    }
    this.reader = new RecordReader(context.pool, context.inputGroup, inputType.createSerializer(), deployment.inputRings);
  }

  /** The type of the records entering chain position `index`. */
  private typeInto(index: number, graph: StreamGraph): TypeInformation<unknown> {
    if (index === 0) return inputTypeOf(graph, this.nodes[0]!.id);
    return this.nodes[index - 1]!.outputType ?? Types.GENERIC;
  }

  private createWriter(output: OutputDeployment, tail: StreamNode, context: TaskContext): RecordWriter<unknown> {
    const edge = context.graph.edges[output.streamEdgeIndex]!;
    return new RecordWriter<unknown>({
      pool: context.pool,
      localPool: output.localPool,
      channels: output.channels.map((c) => new ChannelProducer(context.groups(c.group), c.ring)),
      serializer: inputTypeOf(context.graph, edge.target).createSerializer(),
      selector: selectorFor(output, edge.key ? keySelectorOf(edge.key, tail.outputType, context.graph.nodes[edge.target]!.name) : undefined),
      bufferTimeout: context.bufferTimeout,
      flushClock: context.flushClock,
      availability: this.output,
    });
  }

  /**
   * In BATCH mode, a keyed output into a native sum/min/max gets a native combiner: one partial
   * record per key instead of every record (see native-combiner.ts).
   */
  private combinerFor(output: OutputDeployment, context: TaskContext, emit: Push): NativeCombiner | undefined {
    if (context.mode !== 'BATCH' || output.partitioner !== 'HASH') return undefined;
    const edge = context.graph.edges[output.streamEdgeIndex]!;
    const consumer = context.graph.nodes[edge.target]!;
    const op = consumer.operator;
    if (op.kind !== 'aggregate' || op.key.kind !== 'fields' || op.field === undefined) return undefined;
    if (op.aggregation !== 'sum' && op.aggregation !== 'min' && op.aggregation !== 'max') return undefined;
    const type = inputTypeOf(context.graph, consumer.id);
    if (type === Types.GENERIC || !isNativeAggregatable(type)) return undefined;
    return new NativeCombiner({
      type,
      keyFields: op.key.fields,
      aggregation: op.aggregation,
      field: op.field,
      maxParallelism: output.consumerMaxParallelism,
      managedMemory: context.managedMemory,
      operatorName: consumer.name,
      emit,
    });
  }

  /** True when the task may have work without new input (a source, or unread input). */
  hasInput(): boolean {
    if (this.phase !== 'running') return false;
    return this.source !== undefined || this.reader!.hasInput();
  }

  /** True while some output of the task cannot take records (it takes no input then). */
  get backPressured(): boolean {
    return this.output.blocked !== 0;
  }

  /**
   * A promise that settles when the task's output may take records again (the writers'
   * availability futures), or undefined when it can now. Never rejects.
   */
  outputAvailable(timeoutMs: number): Promise<void> | undefined {
    if (this.output.blocked === 0 || this.phase === 'finished') return undefined;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < this.writers.length; i++) {
      const writer = this.writers[i]!;
      if (!writer.isAvailable()) waits.push(writer.whenAvailable(timeoutMs));
    }
    return waits.length === 0 ? undefined : Promise.race(waits);
  }

  /**
   * Processes up to about `budget` records. Never blocks: takes input only while its output is
   * available, and returns BACKPRESSURED when it has input but its output is not.
   * With metrics on, publishes the task's counters to its metrics block after the step, and
   * keeps its idle time: a step that finds no input (IDLE, or WAITING on an async source) opens
   * an idle period, the next step that has work closes it at its start.
   * Back-pressured time runs from a BACKPRESSURED step to the next step that returns anything else.
   */
  step(budget: number): StepResult {
    const m = this.metricsWriter;
    if (m === undefined || this.phase === 'finished') return this.trackBackPressure(this.runStep(budget));
    const start = m.idling ? nowMs() : 0;
    const result = this.trackBackPressure(this.runStep(budget));
    const now = nowMs();
    if (result === StepResult.IDLE || (result === StepResult.WAITING && this.waitingOnSource)) m.idle(start || now);
    else if (start !== 0) m.active(start);
    if (result === StepResult.FINISHED) {
      this.fillCounters(true);
      m.finish(this.counters, TaskState.FINISHED);
    } else {
      const sample = now - this.lastStateSample >= STATE_SAMPLE_MS;
      if (sample) this.lastStateSample = now;
      this.fillCounters(sample);
      m.publish(this.counters, now);
    }
    return result;
  }

  /** Opens or closes a back-pressured period for the step's result. */
  private trackBackPressure(result: StepResult): StepResult {
    if (result === StepResult.BACKPRESSURED) {
      if (this.backPressuredSince === 0) this.backPressuredSince = performance.now();
    } else if (this.backPressuredSince !== 0) {
      this.backPressuredMs += performance.now() - this.backPressuredSince;
      this.backPressuredSince = 0;
    }
    return result;
  }

  /** Back-pressured time so far in ns, the open period included. */
  private backPressuredNs(): number {
    const open = this.backPressuredSince === 0 ? 0 : performance.now() - this.backPressuredSince;
    return (this.backPressuredMs + open) * 1e6;
  }

  /** True while the task waits on its async source (no input: idle), not on its sink (busy). */
  private get waitingOnSource(): boolean {
    return this.source !== undefined && this.waitingOn !== undefined && this.waitingOn === this.source.ready;
  }

  /** Fills `counters` without allocating; with `sample`, also reads native counters and publishes the state size. */
  private fillCounters(sample: boolean): void {
    const c = this.counters;
    let out = 0;
    let bytesOut = 0;
    for (let i = 0; i < this.writers.length; i++) {
      const writer = this.writers[i]!;
      out += writer.numRecordsOut;
      bytesOut += writer.numBytesOut;
    }
    if (this.sink) out += this.sink.written;
    if (sample) {
      const stats = this.native ? (this.nativeClosed ? undefined : this.native.stats()) : this.keyed?.stats();
      if (stats) {
        if (this.native) this.sampledNativeRecordsIn = stats.recordsIn;
        this.metricsWriter!.publishState(stats.memoryBytes, stats.keys);
      }
    }
    c.numRecordsIn = this.source
      ? this.recordsFromSource
      : this.native
        ? this.nativeClosed
          ? this.nativeRecordsIn
          : this.sampledNativeRecordsIn
        : (this.reader?.numRecordsIn ?? 0);
    c.numRecordsOut = out;
    c.numBytesIn = this.reader?.numBytesIn ?? this.source?.bytesRead ?? 0;
    c.numBytesOut = bytesOut;
    c.backPressuredNs = this.backPressuredNs();
  }

  private runStep(budget: number): StepResult {
    if (this.phase === 'finished') return StepResult.FINISHED;
    if (this.waitingOn) return StepResult.WAITING;
    if (this.phase !== 'running') return this.finish();
    // Flink's mailbox default action runs only while the output is available.
    if (this.output.blocked !== 0 && !this.drainOutputs()) {
      if (this.source !== undefined || this.reader!.hasInput()) return StepResult.BACKPRESSURED;
      this.flushIfDue();
      return this.waitingOn ? StepResult.WAITING : StepResult.IDLE;
    }
    if (this.source) {
      // The reader stops between records once `output.blocked` is set: at most one element's output waits.
      const status = this.source.poll(budget, this.push, this.output);
      if (this.waitingOn) return StepResult.WAITING;
      if (status === SourceStatus.END) return this.finish();
      if (status === SourceStatus.WAITING) {
        this.waitingOn = this.source.ready;
        this.flushIfDue(); // may wait on the sink's flush instead
        return StepResult.WAITING;
      }
      return StepResult.PROGRESS;
    }
    const reader = this.reader!;
    const output = this.output;
    let used = 0;
    let progressed = false;
    while (used < budget && !this.waitingOn && output.blocked === 0) {
      let status: ReadStatus;
      if (this.native) {
        status = reader.nextSlice();
        if (status === ReadStatus.SLICE) {
          try {
            this.native.feed(this.pool.buf, reader.sliceStart, reader.sliceEnd, reader.channel);
          } finally {
            reader.releaseSlice();
          }
          used += SLICE_WEIGHT;
          progressed = true;
          continue;
        }
      } else {
        const before = reader.numRecordsIn;
        status = reader.nextBatch(this.push, output);
        if (status === ReadStatus.RECORD) {
          used += reader.numRecordsIn - before;
          progressed = true;
          continue;
        }
      }
      if (status === ReadStatus.END) return this.finish();
      if (status === ReadStatus.EMPTY) break;
      progressed = true; // an event (e.g. a barrier); nothing to do with it yet
    }
    if (this.waitingOn) return StepResult.WAITING;
    if (progressed) return StepResult.PROGRESS;
    if (output.blocked !== 0) return StepResult.BACKPRESSURED;
    this.flushIfDue();
    return this.waitingOn ? StepResult.WAITING : StepResult.IDLE;
  }

  /** Hands over what the writers could not yet (their backlogs); true when every output is available. */
  private drainOutputs(): boolean {
    for (let i = 0; i < this.writers.length; i++) this.writers[i]!.tryDrain();
    return this.output.blocked === 0;
  }

  /**
   * When the buffer timeout passed: publishes partly filled output segments and flushes the
   * sink. Called when the task goes idle (by its step and by the scheduler before it sleeps), so
   * records already emitted are not held back while no more arrive. A sink that must be waited
   * for (a back-pressured stdout) becomes what the task waits on, even while it waited for its
   * source: the source is polled again once the sink took the output.
   */
  flushIfDue(): void {
    for (let i = 0; i < this.writers.length; i++) this.writers[i]!.flushIfDue();
    if (this.sink !== undefined && this.phase === 'running') {
      const pending = this.sink.flushIfDue();
      if (pending) this.waitingOn = pending;
    }
  }

  /**
   * End of input: final keyed results (BATCH), then close the sink and the outputs, then hand
   * over what the writers still hold (BACKPRESSURED until they could).
   */
  private finish(): StepResult {
    if (this.phase === 'running') {
      this.phase = 'closing';
      if (this.native) {
        this.native.finish();
        this.closeNative();
      }
      this.keyed?.finish();
      void this.source?.close();
      if (this.waitingOn) return StepResult.WAITING;
    }
    if (this.phase === 'closing') {
      if (this.sink) {
        const closing = this.sink.close();
        if (closing) {
          this.waitingOn = closing;
          return StepResult.WAITING;
        }
      }
      for (const combiner of this.combiners) combiner.finish();
      for (const writer of this.writers) writer.close();
      this.phase = 'draining';
    }
    if (this.output.blocked !== 0 && !this.drainOutputs()) return StepResult.BACKPRESSURED;
    this.phase = 'finished';
    this.finishedAt = performance.now();
    return StepResult.FINISHED;
  }

  /**
   * After a failure or cancel: gives back what the task holds (best effort, never throws).
   * `failed`: this task's error failed the job (FAILED); otherwise it was stopped (CANCELED).
   */
  abort(failed = false): void {
    if (this.phase === 'finished') return;
    this.phase = 'finished';
    this.finishedAt = performance.now();
    if (this.metricsWriter) {
      try {
        this.fillCounters(false);
        this.metricsWriter.finish(this.counters, failed ? TaskState.FAILED : TaskState.CANCELED);
      } catch {
        /* metrics are best effort on teardown */
      }
    }
    try {
      this.reader?.releaseAll();
    } catch {
      /* the job already failed; keep releasing */
    }
    this.closeNative();
    for (const combiner of this.combiners) combiner.close();
    void Promise.resolve(this.source?.close()).catch(() => {});
    void Promise.resolve(this.sink?.close()).catch(() => {});
  }

  private closeNative(): void {
    if (!this.native || this.nativeClosed) return;
    const stats = this.native.stats();
    this.nativeRecordsIn = stats.recordsIn;
    this.metricsWriter?.publishState(stats.memoryBytes, stats.keys);
    this.nativeClosed = true;
    this.native.close();
  }
  private nativeClosed = false;

  metrics(): TaskMetrics {
    const reader = this.reader;
    let out = 0;
    let bytesOut = 0;
    for (const writer of this.writers) {
      out += writer.numRecordsOut;
      bytesOut += writer.numBytesOut;
    }
    if (this.sink) out += this.sink.written;
    const recordsIn = this.source ? this.recordsFromSource : this.native ? (this.nativeClosed ? this.nativeRecordsIn : this.native.stats().recordsIn) : (reader?.numRecordsIn ?? 0);
    return {
      name: this.name,
      vertexId: this.deployment.vertexId,
      subtaskIndex: this.deployment.subtaskIndex,
      numRecordsIn: recordsIn,
      numRecordsOut: out,
      numBytesIn: reader?.numBytesIn ?? this.source?.bytesRead ?? 0,
      numBytesOut: bytesOut,
      backPressuredTimeMs: this.backPressuredNs() / 1e6,
      durationMs: (this.finishedAt || performance.now()) - this.startedAt,
    };
  }
}

/** The channel selector of an output edge. */
function selectorFor(output: OutputDeployment, keySelector: ((record: unknown) => unknown) | undefined): ChannelSelector<unknown> {
  switch (output.partitioner) {
    case 'FORWARD':
      return new ForwardPartitioner();
    case 'REBALANCE':
      return new RebalancePartitioner();
    case 'RESCALE':
      return new RescalePartitioner();
    case 'SHUFFLE':
      return new ShufflePartitioner();
    case 'BROADCAST':
      return new BroadcastPartitioner();
    case 'GLOBAL':
      return new GlobalPartitioner();
    case 'HASH':
      if (!keySelector) throw errors.internal('a HASH edge without a key');
      return new KeyGroupStreamPartitioner(keySelector, output.consumerMaxParallelism);
  }
}
