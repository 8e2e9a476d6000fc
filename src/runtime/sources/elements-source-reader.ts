/**
 * The reader of a `fromElements` / `fromCollection` source: non-parallel, so subtask 0 of 1
 * emits every element in order.
 */
import { checkNonParallel, SourceStatus, UNBLOCKED, type SourceOutput, type SourceReader, type SourceReaderContext } from './source-reader.js';

/** Emits the elements of a collection, in order. */
export class ElementsSourceReader implements SourceReader<unknown> {
  readonly #elements: readonly unknown[];
  #next = 0;

  constructor(elements: readonly unknown[], context: SourceReaderContext) {
    checkNonParallel('elements', context);
    this.#elements = elements;
  }

  poll(max: number, emit: (record: unknown) => void, output: SourceOutput = UNBLOCKED): number {
    const elements = this.#elements;
    const stop = Math.min(elements.length, this.#next + max);
    let i = this.#next;
    while (i < stop && output.blocked === 0) {
      const element = elements[i++];
      this.#next = i; // Kept current so a throwing `emit` never replays an element.
      emit(element);
    }
    return i < elements.length ? SourceStatus.MORE : SourceStatus.END;
  }

  get ready(): Promise<void> | undefined {
    return undefined;
  }

  close(): void {
    this.#next = this.#elements.length;
  }

  get bytesRead(): number {
    return 0;
  }

  get totalBytes(): number | undefined {
    return undefined;
  }
}
