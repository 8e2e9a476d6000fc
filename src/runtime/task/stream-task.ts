/**
 * One subtask of a job running in a task slot: its input (a source, or the channels from
 * upstream subtasks, per input of its head), its chain of operators (operators/operator-chain.ts,
 * built from the plan by build-operator-chain.ts), and its output (writers to downstream
 * subtasks, or a sink). Like Flink's StreamTask with its mailbox, it works in bounded steps so
 * the subtasks sharing a thread take turns: `step()` processes some input and returns whether it
 * progressed, has nothing to do (idle), waits for a promise (async source or sink), cannot go on
 * because its output is back-pressured, or finished. It never blocks its thread.
 *
 * Time: records reach the head with their timestamps; the watermarks and watermark statuses of
 * each input's channels go through that input's StatusWatermarkValve (status-watermark-valve.ts),
 * which hands the input's watermark and status to the head's processWatermark /
 * processWatermarkStatus (the *1/*2 variants for a two-input head).
 *
 * End of input: an input that ends counts as MAX_WATERMARK on all its channels (upstream tasks
 * send it in-band before they end anyway), so a bounded input always ends with the maximum
 * watermark; when every input ended, the chain finishes (head first), the writers close and the
 * chain closes. In STREAMING, MAX_WATERMARK reaches the head as it arrives (Flink's order: the
 * final watermark, then endInput). In BATCH the operators emit their results at their end
 * (finish), so MAX_WATERMARK waits until the chain finished, and then goes through it: downstream
 * sees every final before the final watermark, as in Flink, where BATCH results come from
 * timers that MAX_WATERMARK fires before it is forwarded.
 * Finishing may emit as much as the state holds (BATCH finals, combiner partials), so it runs in
 * steps like input does: each step lets the chain emit up to the step's budget, only while the
 * output is available, and the task returns BACKPRESSURED in between (operators/stream-operator.ts,
 * "End of input"). The writers' backlogs therefore stay bounded at the end too.
 *
 * Layering: runtime -> state, io, memory, types.
 */
import { errors } from '../../errors.js';
import { resolveRecordType } from '../../graph/physical-plan.js';
import type { StreamGraph } from '../../graph/stream-graph.js';
import type { ChannelGroup } from '../../io/channel-group.js';
import { ReadStatus, RecordReader } from '../../io/record-reader.js';
import type { OutputAvailability, RecordWriter } from '../../io/record-writer.js';
import type { ManagedMemory } from '../../memory/managed-memory.js';
import type { StateBackendType } from '../../state/keyed-state-backend.js';
import type { NetworkBufferPool } from '../../memory/network-buffer-pool.js';
import type { TaskDeployment, TaskMetrics } from '../deployment.js';
import { KeyedAggregationOperator } from '../operators/keyed-aggregation-operator.js';
import { KeyedProcessOperator } from '../operators/keyed-process-operator.js';
import { NativeKeyedAggregationOperator } from '../operators/native-keyed-aggregation-operator.js';
import type { OneInputStreamOperator } from '../operators/one-input-stream-operator.js';
import type { OperatorChain } from '../operators/operator-chain.js';
import type { SinkOperator } from '../operators/sink-operator.js';
import { SourceOperator } from '../operators/source-operator.js';
import { MAX_WATERMARK, MIN_WATERMARK, type FinishBudget } from '../operators/stream-operator.js';
import type { TwoInputStreamOperator } from '../operators/two-input-stream-operator.js';
import { SourceStatus } from '../sources/source-reader.js';
import { TaskProcessingTimeService } from '../time/processing-time-service.js';
import { WatermarkStatus } from '../operators/watermark-status.js';
import { StatusWatermarkValve, type ValveOutput } from './status-watermark-valve.js';
import { buildOperatorChain } from './build-operator-chain.js';
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
  /** `pipeline.auto-watermark-interval` in ms; the option's default when unset. */
  autoWatermarkInterval?: number | undefined;
  /** `state.backend.type`; the option's default when unset. */
  stateBackendType?: StateBackendType | undefined;
  /** The job's metrics memory (metrics-layout.ts), or undefined when metrics are off. */
  metrics?: SharedArrayBuffer | undefined;
  /** The processing-time clock (epoch ms); `Date.now` unless a test sets it. */
  clock?: (() => number) | undefined;
}

/** How often (ms) a task samples its keyed state's size and its native operator's counters. */
const STATE_SAMPLE_MS = 100;

/** A slice of framed records counts as this many records against a step's budget. */
const SLICE_WEIGHT = 256;

/** The head's methods for one of its inputs. */
interface HeadInput {
  push(record: unknown, timestamp: number): void;
  watermark(watermark: number): void;
  status(status: WatermarkStatus): void;
}

/**
 * One input of the task's head (Flink's StreamTaskNetworkInput): the reader of the rings the
 * plan assigned to that input, the valve of its channels' watermarks, and the head's methods for
 * that input. In BATCH the valve's MAX_WATERMARK is held back until the chain finished.
 */
class TaskInput implements ValveOutput {
  ended = false;
  /** BATCH: the valve reached MAX_WATERMARK; the head gets it after the chain finished. */
  maxWatermarkHeld = false;
  /** The last watermark handed to the head (its currentInputWatermark for this input). */
  currentWatermark = MIN_WATERMARK;
  readonly valve: StatusWatermarkValve;
  readonly push: (record: unknown, timestamp: number) => void;
  constructor(
    /** The head's input this is (the plan's input index: 0, or 1 for a two-input head's second). */
    readonly inputIndex: number,
    readonly reader: RecordReader<unknown>,
    numChannels: number,
    private readonly head: HeadInput,
    private readonly holdMaxWatermark: boolean,
  ) {
    this.push = head.push;
    this.valve = new StatusWatermarkValve(numChannels, this);
  }

  emitWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK && this.holdMaxWatermark) {
      this.maxWatermarkHeld = true;
      return;
    }
    this.currentWatermark = watermark;
    this.head.watermark(watermark);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.head.status(status);
  }

  /** The input ended: each channel counts as active at MAX_WATERMARK (a no-op when they sent it). */
  endInput(): void {
    for (let c = 0; c < this.valve.numChannels; c++) {
      this.valve.inputWatermarkStatus(WatermarkStatus.ACTIVE, c);
      this.valve.inputWatermark(MAX_WATERMARK, c);
    }
  }

  /** BATCH, after the chain finished: hands the held MAX_WATERMARK to the head. */
  releaseMaxWatermark(): void {
    if (!this.maxWatermarkHeld) return;
    this.maxWatermarkHeld = false;
    this.currentWatermark = MAX_WATERMARK;
    this.head.watermark(MAX_WATERMARK);
  }
}

export class StreamTask {
  readonly name: string;
  readonly deployment: TaskDeployment;
  /**
   * The task's processing-time timers (its operators register them); the slot's scheduler fires
   * the due ones between steps. Quiesced when the input ended or the task was stopped.
   */
  readonly processingTime: TaskProcessingTimeService;
  /** A promise the task waits on (async source or sink); the scheduler clears it when settled. */
  waitingOn: Promise<unknown> | undefined;
  private readonly chain: OperatorChain;
  /** The head when it is a source. */
  private readonly source: SourceOperator | undefined;
  /** The head when it is a native keyed aggregation (fed slices of serialized records). */
  private readonly native: NativeKeyedAggregationOperator | undefined;
  /** The head when it is a JS keyed aggregation (for its state figures). */
  private readonly keyed: KeyedAggregationOperator | undefined;
  /** A keyed process head: its keyed state's figures go to the metrics. */
  private readonly keyedProcess: KeyedProcessOperator | undefined;
  /** One per input of the head, by input index; [] for a source. */
  private readonly inputs: TaskInput[] = [];
  private readonly writers: RecordWriter<unknown>[];
  private readonly sink: SinkOperator | undefined;
  private readonly pool: NetworkBufferPool;
  /** BATCH execution: MAX_WATERMARK waits for the chain's finals. */
  private readonly batch: boolean;
  /** The input to read first in the next step (inputs take turns). */
  private nextInput = 0;
  /**
   * running; finishing (input ended: the chain emits what it holds, in steps); closing (the
   * chain finished, the sink may be waited for); draining (writers closed, backlogs left); finished.
   */
  private phase: 'running' | 'finishing' | 'closing' | 'draining' | 'finished' = 'running';
  /** Blocked channels of all of the task's writers (shared with them; read by its source between records). */
  private readonly output: OutputAvailability = { blocked: 0 };
  /** What one finishing step may emit: the step's budget, and the output to stop on. */
  private readonly finishBudget: FinishBudget = { maxRecords: 1, output: this.output };
  /** When the current back-pressured period began (performance.now()), or 0. */
  private backPressuredSince = 0;
  /** Back-pressured time of the periods that ended, in ms. */
  private backPressuredMs = 0;
  private readonly startedAt = performance.now();
  private finishedAt = 0;
  /** This subtask's metrics block, or undefined when metrics are off. */
  private readonly metricsWriter: TaskMetricsWriter | undefined;
  /** The counters published at the end of each step (one object, filled in place). */
  private readonly counters: TaskCounters = {
    numRecordsIn: 0,
    numRecordsOut: 0,
    numBytesIn: 0,
    numBytesOut: 0,
    backPressuredNs: 0,
    currentInputWatermark: MIN_WATERMARK,
    currentOutputWatermark: MIN_WATERMARK,
  };
  private lastStateSample = 0;
  /** Native recordsIn as last sampled (a native call, so sampled with the state, not every step). */
  private sampledNativeRecordsIn = 0;

  constructor(deployment: TaskDeployment, context: TaskContext) {
    this.deployment = deployment;
    this.processingTime = new TaskProcessingTimeService(context.clock);
    this.name = deployment.name;
    this.pool = context.pool;
    this.batch = context.mode === 'BATCH';
    this.metricsWriter = context.metrics && deployment.metricsBlock >= 0 ? new TaskMetricsWriter(context.metrics, deployment.metricsBlock) : undefined;
    this.metricsWriter?.start();
    const built = buildOperatorChain(deployment, { ...context, processingTime: this.processingTime }, this.output, (pending) => {
      this.waitingOn = pending;
    });
    this.chain = built.chain;
    this.writers = built.writers;
    this.sink = built.sink;
    const head = this.chain.head;
    this.source = head instanceof SourceOperator ? head : undefined;
    this.native = head instanceof NativeKeyedAggregationOperator ? head : undefined;
    this.keyed = head instanceof KeyedAggregationOperator ? head : undefined;
    this.keyedProcess = head instanceof KeyedProcessOperator ? head : undefined;

    // The inputs of the head, each with its own rings and serializer, as the plan assigned them.
    if (deployment.inputs.length > 0 && !context.inputGroup) throw errors.internal(`task '${this.name}' has inputs but its slot has no input group`);
    for (const input of deployment.inputs) {
      const reader = new RecordReader(context.pool, context.inputGroup!, resolveRecordType(context.graph, input.type).createSerializer(), input.rings);
      this.inputs.push(this.inputOf(reader, input.inputIndex, input.rings.length, deployment.inputs.length, context.mode === 'BATCH'));
    }
    if (this.source === undefined && this.inputs.length === 0) throw errors.internal(`task '${this.name}' has neither a source nor inputs`);

    try {
      this.chain.initializeStateAndOpen();
    } catch (error) {
      this.closeChain();
      throw error;
    }
  }

  /**
   * The input `inputIndex` of the head (of `count` inputs), over `numChannels` channels: feeds
   * processElement / processWatermark / processWatermarkStatus, or their *1 / *2 variants.
   */
  private inputOf(reader: RecordReader<unknown>, inputIndex: number, numChannels: number, count: number, batch: boolean): TaskInput {
    if (count === 1) {
      // A native head reads slices, not records: only its watermark methods are used.
      const head = this.chain.head as OneInputStreamOperator;
      return new TaskInput(
        inputIndex,
        reader,
        numChannels,
        {
          push: (record, timestamp) => head.processElement(record, timestamp),
          watermark: (watermark) => head.processWatermark(watermark),
          status: (status) => head.processWatermarkStatus(status),
        },
        batch,
      );
    }
    const head = this.chain.head as TwoInputStreamOperator;
    if (typeof head.processElement2 !== 'function') throw errors.internal(`task '${this.name}' has ${count} inputs but its head has one`);
    const methods: HeadInput =
      inputIndex === 0
        ? {
            push: (record, timestamp) => head.processElement1(record, timestamp),
            watermark: (watermark) => head.processWatermark1(watermark),
            status: (status) => head.processWatermarkStatus1(status),
          }
        : {
            push: (record, timestamp) => head.processElement2(record, timestamp),
            watermark: (watermark) => head.processWatermark2(watermark),
            status: (status) => head.processWatermarkStatus2(status),
          };
    return new TaskInput(inputIndex, reader, numChannels, methods, batch);
  }

  /**
   * Fires the processing-time timers due now, as mail between steps (never while the task's
   * input ended); returns how many fired. A callback's error fails the task.
   */
  fireProcessingTimers(): number {
    return this.phase === 'running' ? this.processingTime.fireDue() : 0;
  }

  /** When the task's next processing-time timer is due (epoch ms), or +Infinity. */
  nextProcessingTimerAt(): number {
    return this.phase === 'running' ? this.processingTime.nextTimerAt() : Number.POSITIVE_INFINITY;
  }

  /** True when the task may have work without new input (a source, or unread input). */
  hasInput(): boolean {
    if (this.phase !== 'running') return false;
    if (this.source !== undefined) return true;
    return this.inputHasRecords();
  }

  /** True when some input has unread records or events. */
  private inputHasRecords(): boolean {
    for (let i = 0; i < this.inputs.length; i++) if (this.inputs[i]!.reader.hasInput()) return true;
    return false;
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
    return this.source !== undefined && this.waitingOn !== undefined && this.waitingOn === this.source.reader.ready;
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
    if (this.sink) out += this.sink.sink.written;
    if (sample) {
      const stats = this.stateStats();
      if (stats) {
        if (this.native) this.sampledNativeRecordsIn = stats.recordsIn;
        this.metricsWriter!.publishState(stats.memoryBytes, stats.keys);
      }
    }
    c.numRecordsIn = this.native ? this.sampledNativeRecordsIn : this.recordsIn();
    c.numRecordsOut = out;
    c.numBytesIn = this.bytesIn();
    c.numBytesOut = bytesOut;
    c.backPressuredNs = this.backPressuredNs();
    c.currentInputWatermark = this.currentInputWatermark();
    c.currentOutputWatermark = this.currentOutputWatermark();
  }

  /** Flink's currentInputWatermark: the minimum over the head's inputs (MIN_WATERMARK for a source). */
  private currentInputWatermark(): number {
    if (this.inputs.length === 0) return MIN_WATERMARK;
    let min = MAX_WATERMARK;
    for (let i = 0; i < this.inputs.length; i++) min = Math.min(min, this.inputs[i]!.currentWatermark);
    return min;
  }

  /** Flink's currentOutputWatermark: what the writers last sent; a task ending in a sink reports what its input reached. */
  private currentOutputWatermark(): number {
    if (this.writers.length === 0) return this.currentInputWatermark();
    let min = MAX_WATERMARK;
    for (let i = 0; i < this.writers.length; i++) min = Math.min(min, this.writers[i]!.currentWatermark);
    return min;
  }

  /** The keyed state's figures (native: a native call), or undefined without keyed state. */
  private stateStats(): { keys: number; memoryBytes: number; recordsIn: number } | undefined {
    if (this.keyedProcess !== undefined) {
      const s = this.keyedProcess.stats();
      return s === undefined ? undefined : { keys: s.entries, memoryBytes: s.memoryBytes, recordsIn: 0 };
    }
    return this.native ? this.native.stats() : this.keyed?.stats();
  }

  /** Records taken in: from the source, or read from the inputs (a native head counts its own). */
  private recordsIn(): number {
    if (this.source) return this.source.recordsOut;
    if (this.native) return this.native.stats()?.recordsIn ?? 0;
    let n = 0;
    for (let i = 0; i < this.inputs.length; i++) n += this.inputs[i]!.reader.numRecordsIn;
    return n;
  }

  private bytesIn(): number {
    if (this.source) return this.source.reader.bytesRead;
    let n = 0;
    for (let i = 0; i < this.inputs.length; i++) n += this.inputs[i]!.reader.numBytesIn;
    return n;
  }

  private runStep(budget: number): StepResult {
    if (this.phase === 'finished') return StepResult.FINISHED;
    if (this.waitingOn) return StepResult.WAITING;
    if (this.phase !== 'running') return this.finish(budget);
    // Flink's mailbox default action runs only while the output is available.
    if (this.output.blocked !== 0 && !this.drainOutputs()) {
      if (this.source !== undefined || this.inputHasRecords()) return StepResult.BACKPRESSURED;
      this.flushIfDue();
      return this.waitingOn ? StepResult.WAITING : StepResult.IDLE;
    }
    if (this.source) {
      // The reader stops between records once `output.blocked` is set: at most one element's output waits.
      const status = this.source.poll(budget, this.output);
      if (this.waitingOn) return StepResult.WAITING;
      if (status === SourceStatus.END) {
        // BATCH: the final watermark follows the finals (see finish).
        if (!this.batch) this.source.processWatermark(MAX_WATERMARK);
        return this.finish(budget);
      }
      if (status === SourceStatus.WAITING) {
        this.waitingOn = this.source.reader.ready;
        this.flushIfDue(); // may wait on the sink's flush instead
        return StepResult.WAITING;
      }
      return StepResult.PROGRESS;
    }
    // The inputs take turns (one for most tasks); an input found empty counts towards a round.
    const inputs = this.inputs;
    let used = 0;
    let progressed = false;
    let emptyInARow = 0;
    let i = this.nextInput;
    const output = this.output;
    while (used < budget && !this.waitingOn && emptyInARow < inputs.length && output.blocked === 0) {
      const input = inputs[i]!;
      i = i + 1 === inputs.length ? 0 : i + 1;
      if (input.ended) {
        emptyInARow++;
        continue;
      }
      const reader = input.reader;
      let status: ReadStatus;
      if (this.native) {
        status = reader.nextSlice();
        if (status === ReadStatus.SLICE) {
          let consumedTo = reader.sliceEnd;
          try {
            consumedTo = this.native.processSlice(reader.sliceBuf, reader.sliceStart, reader.sliceEnd);
          } finally {
            reader.releaseSlice(consumedTo);
          }
          used += SLICE_WEIGHT;
          progressed = true;
          emptyInARow = 0;
          continue;
        }
      } else {
        const before = reader.numRecordsIn;
        status = reader.nextBatch(input.push, output);
        if (status === ReadStatus.RECORD) {
          used += reader.numRecordsIn - before;
          progressed = true;
          emptyInARow = 0;
          continue;
        }
      }
      if (status === ReadStatus.WATERMARK) {
        input.valve.inputWatermark(reader.watermark, reader.channel);
        used++;
        progressed = true;
        emptyInARow = 0;
        continue;
      }
      if (status === ReadStatus.WATERMARK_STATUS) {
        input.valve.inputWatermarkStatus(reader.watermarkStatus as WatermarkStatus, reader.channel);
        used++;
        progressed = true;
        emptyInARow = 0;
        continue;
      }
      if (status === ReadStatus.END) {
        input.ended = true;
        input.endInput();
        if (this.allInputsEnded()) return this.finish(budget);
        progressed = true;
        continue;
      }
      if (status === ReadStatus.EMPTY) {
        emptyInARow++;
        continue;
      }
      progressed = true; // an event (e.g. a barrier); nothing to do with it yet
      emptyInARow = 0;
    }
    this.nextInput = i;
    if (this.waitingOn) return StepResult.WAITING;
    if (progressed) return StepResult.PROGRESS;
    if (output.blocked !== 0) return StepResult.BACKPRESSURED;
    this.flushIfDue();
    return this.waitingOn ? StepResult.WAITING : StepResult.IDLE;
  }

  private allInputsEnded(): boolean {
    for (let i = 0; i < this.inputs.length; i++) if (!this.inputs[i]!.ended) return false;
    return true;
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
    if (this.sink !== undefined && this.phase === 'running') this.sink.flushIfDue();
  }

  /**
   * Hands over what it can of the writers' backlogs now, without blocking; true when every
   * output can take records (for the scheduler's poll before it awaits `outputAvailable`).
   */
  tryDrainOutput(): boolean {
    return this.output.blocked === 0 || this.drainOutputs();
  }

  /** Hands over what the writers could not yet (their backlogs); true when every output is available. */
  private drainOutputs(): boolean {
    for (let i = 0; i < this.writers.length; i++) this.writers[i]!.tryDrain();
    return this.output.blocked === 0;
  }

  /**
   * End of input, one step: the chain finishes, head first (final keyed results in BATCH,
   * combiner partials; the sink starts closing and may be waited for), up to `budget` records
   * per step and only while the output is available (BACKPRESSURED while it is not, PROGRESS
   * while there is more); then the writers and the chain close, then what the writers still
   * hold is handed over (BACKPRESSURED until it could be).
   */
  private finish(budget: number): StepResult {
    if (this.phase === 'running') {
      this.phase = 'finishing';
      this.processingTime.quiesce();
    }
    if (this.phase === 'finishing') {
      // As in the running phase, the chain emits only while the output can take it.
      if (this.output.blocked !== 0 && !this.drainOutputs()) return StepResult.BACKPRESSURED;
      this.finishBudget.maxRecords = Math.max(1, budget);
      const done = this.chain.finish(this.finishBudget);
      if (done) {
        this.phase = 'closing';
        if (this.batch) this.emitFinalWatermark();
      }
      if (this.waitingOn) return StepResult.WAITING;
      if (!done) return this.output.blocked !== 0 ? StepResult.BACKPRESSURED : StepResult.PROGRESS;
    }
    if (this.phase === 'closing') {
      for (const writer of this.writers) writer.close();
      this.closeChain();
      this.phase = 'draining';
    }
    if (this.output.blocked !== 0 && !this.drainOutputs()) return StepResult.BACKPRESSURED;
    this.phase = 'finished';
    this.finishedAt = performance.now();
    return StepResult.FINISHED;
  }

  /** BATCH, once the chain finished: the final watermark goes through it, after the finals. */
  private emitFinalWatermark(): void {
    if (this.source !== undefined) this.source.processWatermark(MAX_WATERMARK);
    for (let i = 0; i < this.inputs.length; i++) this.inputs[i]!.releaseMaxWatermark();
  }

  /**
   * After a failure or cancel: gives back what the task holds (best effort, never throws).
   * `failed`: this task's error failed the job (FAILED); otherwise it was stopped (CANCELED).
   */
  abort(failed = false): void {
    if (this.phase === 'finished') return;
    this.phase = 'finished';
    this.processingTime.quiesce();
    this.finishedAt = performance.now();
    if (this.metricsWriter) {
      try {
        this.fillCounters(false);
        this.metricsWriter.finish(this.counters, failed ? TaskState.FAILED : TaskState.CANCELED);
      } catch {
        /* metrics are best effort on teardown */
      }
    }
    for (const input of this.inputs) {
      try {
        input.reader.releaseAll();
      } catch {
        /* the job already failed; keep releasing */
      }
    }
    this.closeChain();
  }

  /** Closes every operator (native tables, sources, sinks), never throwing; publishes the state's last figures. */
  private closeChain(): void {
    try {
      this.chain.close();
    } catch {
      /* a close that failed still released what it could; the task's own outcome stands */
    }
    const stats = this.stateStats();
    if (stats) this.metricsWriter?.publishState(stats.memoryBytes, stats.keys);
  }

  metrics(): TaskMetrics {
    let out = 0;
    let bytesOut = 0;
    let backlogPeak = 0;
    for (const writer of this.writers) {
      out += writer.numRecordsOut;
      bytesOut += writer.numBytesOut;
      backlogPeak = Math.max(backlogPeak, writer.backlogPeakBytes);
    }
    if (this.sink) out += this.sink.sink.written;
    return {
      name: this.name,
      vertexId: this.deployment.vertexId,
      subtaskIndex: this.deployment.subtaskIndex,
      numRecordsIn: this.recordsIn(),
      numRecordsOut: out,
      numBytesIn: this.bytesIn(),
      numBytesOut: bytesOut,
      backPressuredTimeMs: this.backPressuredNs() / 1e6,
      outputBacklogPeakBytes: backlogPeak,
      durationMs: (this.finishedAt || performance.now()) - this.startedAt,
    };
  }
}
