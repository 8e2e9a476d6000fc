/**
 * `process(ProcessFunction)` on a non-keyed stream (Flink's ProcessOperator): calls
 * `processElement(value, ctx, out)` per record; results keep the record's timestamp. The time
 * service reads processing time and the watermark; registering or deleting timers throws, as
 * timers need a key (Flink: "Setting timers is only supported on a keyed streams").
 */
import { errors } from '../../errors.js';
import type { ProcessFunction } from '../../functions/process-function.js';
import type { TimerService } from '../../functions/timer-service.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { ProcessFunctionContext } from './process-function-context.js';
import { StreamingRuntimeContext, type SubtaskInfo } from './streaming-runtime-context.js';
import { openRichFunction, closeRichFunction } from './rich-function-lifecycle.js';
import { TimestampedCollector } from './timestamped-collector.js';

export interface ProcessOperatorOptions {
  readonly processingTimeService: ProcessingTimeService;
  readonly subtask: SubtaskInfo;
}

export class ProcessOperator extends AbstractStreamOperator implements OneInputStreamOperator {
  private readonly collector: TimestampedCollector;
  private readonly context: ProcessFunctionContext;

  constructor(
    name: string,
    private readonly fn: ProcessFunction<unknown, unknown>,
    private readonly options: ProcessOperatorOptions,
    output: Output,
  ) {
    super(name, output);
    this.collector = new TimestampedCollector(output);
    this.context = new ProcessFunctionContext(name, this.collector, output, this.nonKeyedTimerService(), undefined);
  }

  override open(): void {
    openRichFunction({ fn: this.fn, context: new StreamingRuntimeContext(this.options.subtask, undefined, this.name) }, this.name);
  }

  override close(): void {
    closeRichFunction(this.fn, this.name);
  }

  processElement(value: unknown, timestamp: number): void {
    const collector = this.collector;
    collector.timestamp = timestamp;
    try {
      this.fn.processElement(value, this.context, collector);
    } catch (cause) {
      throw collector.failure(this.name, 'processElement', cause);
    }
  }

  private nonKeyedTimerService(): TimerService {
    const refuse = (): never => {
      throw errors.unsupportedOperation(
        `Timers need a keyed stream, and '${this.name}' is not keyed: use keyBy(...).process(new KeyedProcessFunction ...) to set or delete timers.`,
      );
    };
    return {
      currentProcessingTime: () => this.options.processingTimeService.getCurrentProcessingTime(),
      currentWatermark: () => this.currentWatermark,
      registerEventTimeTimer: refuse,
      registerProcessingTimeTimer: refuse,
      deleteEventTimeTimer: refuse,
      deleteProcessingTimeTimer: refuse,
    };
  }
}
