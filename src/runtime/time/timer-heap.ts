/**
 * The timers of one time domain of one keyed operator (Flink's HeapPriorityQueueSet of
 * TimerHeapInternalTimers): a binary min-heap by timestamp (ties in registration order, so a
 * subtask fires deterministically) plus a set that makes (key, namespace, timestamp) unique.
 * Each timer keeps its heap index, so deleting one is O(log n). Timers remember their key group,
 * so a snapshot can be written and read by key-group range.
 *
 * Depends on: ../../types (GENERIC encoding of keys that are not primitives).
 */
import { DataOutputView } from '../../types/data-output-view.js';
import { GenericSerializer } from '../../types/generic-serializer.js';

/** One timer (Flink's InternalTimer): fires `onTimer` for `key` in `namespace` at `timestamp`. */
export interface InternalTimer<K = unknown, N = unknown> {
  readonly timestamp: number;
  readonly key: K;
  readonly namespace: N;
  readonly keyGroup: number;
}

interface HeapTimer extends InternalTimer {
  /** Registration order, the tie-breaker. */
  readonly seq: number;
  /** The dedup identity of (key, namespace, timestamp). */
  readonly id: string;
  index: number;
}

const scratch = new DataOutputView(64);

/**
 * A string that is equal for equal keys (or namespaces): primitives by type and value, anything
 * else by its GENERIC encoding (tuples by value).
 */
export function identityOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 's' + value;
    case 'number':
      return 'n' + String(value);
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return 'b' + String(value);
    case 'symbol':
      return 'y' + String(value.description);
    default:
      scratch.pos = 0;
      GenericSerializer.INSTANCE.write(value, scratch);
      return 'g' + scratch.buf.toString('latin1', 0, scratch.pos);
  }
}

export class TimerHeap {
  private readonly heap: HeapTimer[] = [];
  private readonly byId = new Map<string, HeapTimer>();
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest timer, or undefined. */
  peek(): InternalTimer | undefined {
    return this.heap[0];
  }

  /** Adds the timer unless an equal one is queued; true when added. */
  add(timestamp: number, key: unknown, namespace: unknown, keyGroup: number, keyId: string, namespaceId: string): boolean {
    const id = `${keyId}\u0000${namespaceId}\u0000${timestamp}`;
    if (this.byId.has(id)) return false;
    const timer: HeapTimer = { timestamp, key, namespace, keyGroup, seq: this.seq++, id, index: this.heap.length };
    this.byId.set(id, timer);
    this.heap.push(timer);
    this.siftUp(timer.index);
    return true;
  }

  /** Removes the timer (key, namespace, timestamp); true when there was one. */
  remove(timestamp: number, keyId: string, namespaceId: string): boolean {
    const timer = this.byId.get(`${keyId}\u0000${namespaceId}\u0000${timestamp}`);
    if (timer === undefined) return false;
    this.removeAt(timer.index);
    return true;
  }

  /** Removes and returns the earliest timer. */
  poll(): InternalTimer | undefined {
    const top = this.heap[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  /** Every queued timer, in no particular order. */
  values(): Iterable<InternalTimer> {
    return this.heap;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    this.byId.delete(removed.id);
    const last = heap.pop()!;
    if (index === heap.length) return;
    heap[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  private static before(a: HeapTimer, b: HeapTimer): boolean {
    return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const timer = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const p = heap[parent]!;
      if (!TimerHeap.before(timer, p)) break;
      heap[index] = p;
      p.index = index;
      index = parent;
    }
    heap[index] = timer;
    timer.index = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const timer = heap[index]!;
    for (;;) {
      const l = 2 * index + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && TimerHeap.before(heap[r]!, heap[l]!) ? r : l;
      const c = heap[child]!;
      if (!TimerHeap.before(c, timer)) break;
      heap[index] = c;
      c.index = index;
      index = child;
    }
    heap[index] = timer;
    timer.index = index;
  }
}
