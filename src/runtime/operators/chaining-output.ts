/**
 * The Output between two operators of one chain (Flink's ChainingOutput): records, timestamps
 * and watermarks go straight into the next operator's methods, in the same thread, without
 * serialization.
 *
 * A ChainingOutput either feeds the next operator's main input (no tag: side outputs are
 * dropped) or consumes one side output (a tag: only that tag's records pass, main records are
 * dropped), as Flink's does.
 *
 * The main-input link is the hot path of every chain, so an operator class registered with
 * {@link servesAsChainingOutput} is its own main-input Output: its `collect` is the very
 * function `processElement` (and `emitWatermark` is `processWatermark`), so a record goes from
 * one operator into the next without a frame in between. {@link chainingOutputOf} picks that
 * when it can. (Measured: the extra frame cost about 10% of a map/flatMap chain's time, as V8
 * then stops inlining the chain into the source's loop.)
 */
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { WatermarkStatus } from './watermark-status.js';
import type { Output } from './output.js';
import type { OutputTag } from '../../functions/output-tag.js';

/** Marks the classes registered with servesAsChainingOutput. */
const CHAINS_DIRECTLY = Symbol('chainsDirectly');

/**
 * Registers a one-input operator class as its own main-input Output: `collect` becomes
 * `processElement` itself, `emitWatermark` `processWatermark`, and `collectSide` drops the
 * record (a main-input consumer takes no side outputs). Call it once per concrete class, after
 * its definition; a subclass that overrides `processElement` must register itself again.
 */
export function servesAsChainingOutput(type: { prototype: OneInputStreamOperator }): void {
  const proto = type.prototype;
  const define = (name: string | symbol, value: unknown) => Object.defineProperty(proto, name, { value, writable: false, enumerable: false, configurable: true });
  define('collect', proto.processElement);
  define('emitWatermark', proto.processWatermark);
  define('emitWatermarkStatus', proto.processWatermarkStatus);
  define('collectSide', dropSideOutput);
  define(CHAINS_DIRECTLY, type);
}

function dropSideOutput(): void {}

/** The Output feeding `operator`: the operator itself when its class serves as one (main input only), else a ChainingOutput. */
export function chainingOutputOf(operator: OneInputStreamOperator, outputTag: OutputTag<unknown> | undefined = undefined): Output {
  const direct = (operator as unknown as Record<symbol, unknown>)[CHAINS_DIRECTLY] === operator.constructor;
  return outputTag === undefined && direct ? (operator as unknown as Output) : new ChainingOutput(operator, outputTag);
}

export class ChainingOutput implements Output {
  constructor(
    private readonly operator: OneInputStreamOperator,
    /** The side output this output consumes, or undefined for the main output. */
    private readonly outputTag: OutputTag<unknown> | undefined = undefined,
  ) {}

  collect(value: unknown, timestamp: number): void {
    if (this.outputTag === undefined) this.operator.processElement(value, timestamp);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    if (this.outputTag !== undefined && this.outputTag.equals(tag)) this.operator.processElement(value, timestamp);
  }

  emitWatermark(watermark: number): void {
    this.operator.processWatermark(watermark);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.operator.processWatermarkStatus(status);
  }
}
