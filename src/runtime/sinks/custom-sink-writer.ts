/**
 * A custom sink (`addSink(factory)`): Flink's SinkFunction. The factory is called once per sink
 * subtask with `{ subtaskIndex, parallelism }` and returns `{ invoke(value), close?() }`.
 *
 * - `invoke` may return a promise: `write` returns it, so the task awaits it before the next
 *   record (an async sink back-pressures its input, one record in flight).
 * - `close` is called once, on the first `close()`; later calls return the same result.
 * - Errors thrown by the factory, `invoke` or `close` (or their rejected promises) propagate
 *   unchanged; the task wraps them with the operator name.
 */
import type { SinkSpec } from '../../graph/stream-graph.js';
import type { SinkWriter } from './sink-writer.js';
import { errors } from '../../errors.js';

type CustomSinkFactory = Extract<SinkSpec, { kind: 'custom' }>['factory'];
type CustomSink = ReturnType<CustomSinkFactory>;

export class CustomSinkWriter implements SinkWriter<unknown> {
  readonly #sink: CustomSink;
  #closed = false;
  #closeResult: Promise<void> | void = undefined;

  constructor(factory: CustomSinkFactory, subtaskIndex: number, parallelism: number) {
    const sink = factory({ subtaskIndex, parallelism });
    if (sink === null || typeof sink !== 'object' || typeof sink.invoke !== 'function') {
      throw errors.invalidArgumentType('custom sink', sink, 'the addSink factory must return an object with an invoke(value) method');
    }
    this.#sink = sink;
  }

  write(record: unknown): Promise<void> | undefined {
    const result = this.#sink.invoke(record);
    if (result === undefined || result === null) return undefined;
    if (result instanceof Promise) return result;
    // A foreign thenable: adopt it so the task gets a real promise.
    return typeof (result as { then?: unknown }).then === 'function' ? Promise.resolve(result) : undefined;
  }

  flush(): void {
    // Nothing buffered here; a custom sink buffers (or not) on its own.
  }

  close(): Promise<void> | void {
    if (this.#closed) return this.#closeResult;
    this.#closed = true;
    if (typeof this.#sink.close !== 'function') return undefined;
    this.#closeResult = this.#sink.close();
    return this.#closeResult;
  }
}
