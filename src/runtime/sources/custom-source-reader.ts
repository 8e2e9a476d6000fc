/**
 * The reader of a `fromSource(factory)` source: `factory(context)` is called on the first
 * `poll()` of each subtask and returns that subtask's records as an Iterable or an AsyncIterable
 * (an object offering both is read through its async iterator, as `for await` does).
 *
 * - A sync iterator is drained up to `max` records per `poll()`; its `next()` runs on the task's
 *   thread, so it must not block (it is the user's code, like a Flink SourceFunction's loop).
 * - An async iterator has at most one `next()` in flight: `poll()` emits a settled value, asks for
 *   the next one and returns WAITING with `ready` while it is pending.
 * - Whatever the factory or the iterator throws (or an async `next()` rejects with) is thrown by
 *   `poll()` unchanged: the task wraps it with the operator's name. Every later `poll()` throws it
 *   again.
 * - `close()` before the end calls the iterator's `return()`, as `break` in a `for` loop does, so
 *   generators run their `finally` blocks.
 */
import { errors } from '../../errors.js';
import { checkContext, SourceStatus, UNBLOCKED, type SourceOutput, type SourceReader, type SourceReaderContext } from './source-reader.js';

type Factory = (context: { subtaskIndex: number; parallelism: number }) => AsyncIterable<unknown> | Iterable<unknown>;

/** Emits the records of a user's (async) iterable. */
export class CustomSourceReader implements SourceReader<unknown> {
  readonly #factory: Factory;
  readonly #context: SourceReaderContext;
  #started = false;
  #sync: Iterator<unknown> | undefined;
  #async: AsyncIterator<unknown> | undefined;
  /** The settled result of the async `next()`, not yet emitted. */
  #result: IteratorResult<unknown> | undefined;
  /** Settles when the async `next()` in flight settles; undefined when none is. */
  #ready: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;
  /** The iterator finished, failed or was closed: `return()` must not be called. */
  #finished = false;

  constructor(factory: Factory, context: SourceReaderContext) {
    checkContext(context);
    this.#factory = factory;
    this.#context = context;
  }

  poll(max: number, emit: (record: unknown) => void, output: SourceOutput = UNBLOCKED): number {
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#finished) return SourceStatus.END;
    if (!this.#started) this.#start();
    const sync = this.#sync;
    if (sync !== undefined) {
      for (let emitted = 0; emitted < max && output.blocked === 0; emitted++) {
        let result: IteratorResult<unknown>;
        try {
          result = sync.next();
        } catch (error) {
          this.#fail(error);
          throw error;
        }
        if (result.done) {
          this.#finished = true;
          return SourceStatus.END;
        }
        emit(result.value);
      }
      return SourceStatus.MORE;
    }
    let emitted = 0;
    for (;;) {
      // #requestNext() may have failed synchronously (TypeScript keeps the narrowing from above).
      const failure = this.#failure as { error: unknown } | undefined;
      if (failure !== undefined) throw failure.error;
      const result = this.#result;
      if (result !== undefined) {
        if (result.done) {
          this.#finished = true;
          return SourceStatus.END;
        }
        if (emitted >= max || output.blocked !== 0) return SourceStatus.MORE;
        this.#result = undefined;
        emitted++;
        emit(result.value);
        continue;
      }
      if (this.#ready !== undefined) return SourceStatus.WAITING;
      this.#requestNext();
    }
  }

  get ready(): Promise<void> | undefined {
    return this.#ready;
  }

  close(): Promise<void> | void {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.#started) return;
    const iterator = this.#sync ?? this.#async;
    if (typeof iterator?.return !== 'function') return;
    const returned = iterator.return();
    if (this.#sync !== undefined) return;
    const done = Promise.resolve(returned).then(() => undefined);
    // With a next() in flight, return() settles only after it: do not wait for a source that may never produce again.
    if (this.#ready !== undefined) {
      done.catch(() => undefined);
      return;
    }
    return done;
  }

  get bytesRead(): number {
    return 0;
  }

  get totalBytes(): number | undefined {
    return undefined;
  }

  #start(): void {
    this.#started = true;
    let iterable: unknown;
    try {
      iterable = this.#factory({ subtaskIndex: this.#context.subtaskIndex, parallelism: this.#context.parallelism });
      if (iterable != null && typeof (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
        this.#async = (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      } else if (iterable != null && typeof (iterable as Iterable<unknown>)[Symbol.iterator] === 'function') {
        this.#sync = (iterable as Iterable<unknown>)[Symbol.iterator]();
      } else {
        throw errors.invalidArgumentType('custom source factory result', iterable, 'expected an Iterable or an AsyncIterable');
      }
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  #requestNext(): void {
    let next: Promise<IteratorResult<unknown>>;
    try {
      next = Promise.resolve(this.#async!.next());
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#ready = next.then(
      (result) => {
        this.#ready = undefined;
        if (result === null || typeof result !== 'object') {
          this.#fail(errors.invalidArgumentType('async iterator result', result, 'expected an object { value, done }'));
        } else {
          this.#result = result;
        }
      },
      (error: unknown) => {
        this.#ready = undefined;
        this.#fail(error);
      },
    );
  }

  #fail(error: unknown): void {
    this.#failure = { error };
    this.#finished = true;
  }
}
