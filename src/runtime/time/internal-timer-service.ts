/**
 * The timers of one keyed operator (Flink's InternalTimerServiceImpl): event-time and
 * processing-time timers per (key, namespace, timestamp), deduplicated, kept in one heap per
 * time domain (timer-heap.ts).
 *
 * - Event time: `advanceWatermark(wm)` fires every event-time timer at or below `wm`, in
 *   timestamp order, each with its key made current (KeyContext), before the operator forwards
 *   the watermark. MAX_WATERMARK at the end of a bounded input fires them all.
 * - Processing time: the service holds ONE registration with the task's ProcessingTimeService,
 *   for its earliest timer, as Flink does; a new earlier timer replaces it. When it fires, every
 *   timer due at that time fires, then the next earliest is registered.
 * - Snapshots: the timers of both domains with their key groups, in a versioned byte format;
 *   `restore` keeps only the key groups of this operator's range, so a snapshot restores into
 *   any parallelism (several snapshots when subtasks merge).
 *
 * Keys and namespaces are written with the GENERIC serializer (VOID_NAMESPACE as a marker).
 */
import { errors } from '../../errors.js';
import type { KeyGroupRange } from '../../io/key-group-assignment.js';
import { VOID_NAMESPACE } from '../../state/keyed-state-backend.js';
import { DataInputView } from '../../types/data-input-view.js';
import { DataOutputView } from '../../types/data-output-view.js';
import { GenericSerializer } from '../../types/generic-serializer.js';
import { MIN_WATERMARK } from '../operators/stream-operator.js';
import type { ProcessingTimeService, ScheduledTimer } from './processing-time-service.js';
import { identityOf, TimerHeap, type InternalTimer } from './timer-heap.js';

export type { InternalTimer } from './timer-heap.js';

/** The operator's current key (Flink's KeyContext): timers read it and set it before firing. */
export interface KeyContext<K = unknown> {
  setCurrentKey(key: K): void;
  getCurrentKey(): K;
  getCurrentKeyGroupIndex(): number;
}

/** What a timer fires into (Flink's Triggerable); the timer's key is current during the call. */
export interface Triggerable<K = unknown, N = unknown> {
  onEventTime(timer: InternalTimer<K, N>): void;
  onProcessingTime(timer: InternalTimer<K, N>): void;
}

export interface InternalTimerServiceOptions<K, N> {
  readonly processingTimeService: ProcessingTimeService;
  readonly keyContext: KeyContext<K>;
  readonly triggerable: Triggerable<K, N>;
  /** The key groups of this operator instance (restore keeps only these). */
  readonly keyGroupRange: KeyGroupRange;
}

const MAGIC = 0x54_4d_52_53; // 'STMT' little-endian-ish marker of a timer snapshot
const VERSION = 1;

export class InternalTimerService<K = unknown, N = unknown> {
  private readonly eventTimeTimers = new TimerHeap();
  private readonly processingTimeTimers = new TimerHeap();
  private watermark = MIN_WATERMARK;
  private scheduled: ScheduledTimer | undefined;
  private scheduledAt = Number.POSITIVE_INFINITY;
  private readonly fireProcessingTime = (time: number) => this.onProcessingTime(time);

  constructor(private readonly options: InternalTimerServiceOptions<K, N>) {}

  currentProcessingTime(): number {
    return this.options.processingTimeService.getCurrentProcessingTime();
  }

  currentWatermark(): number {
    return this.watermark;
  }

  registerEventTimeTimer(namespace: N, time: number): void {
    checkTime(time);
    const key = this.options.keyContext.getCurrentKey();
    this.eventTimeTimers.add(time, key, namespace, this.options.keyContext.getCurrentKeyGroupIndex(), identityOf(key), namespaceId(namespace));
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    checkTime(time);
    const key = this.options.keyContext.getCurrentKey();
    if (this.processingTimeTimers.add(time, key, namespace, this.options.keyContext.getCurrentKeyGroupIndex(), identityOf(key), namespaceId(namespace))) {
      this.scheduleFor(time);
    }
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.eventTimeTimers.remove(time, identityOf(this.options.keyContext.getCurrentKey()), namespaceId(namespace));
  }

  /** The one registration with the clock stays; if it fires with nothing due it only re-registers (as Flink). */
  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.processingTimeTimers.remove(time, identityOf(this.options.keyContext.getCurrentKey()), namespaceId(namespace));
  }

  /**
   * Fires the event-time timers at or below `watermark`, in order; the caller forwards the
   * watermark after. `shouldPause`, asked after each timer, lets the caller fire them in steps
   * (the end of input's bounded emission): returns true once none at or below `watermark` is left.
   */
  advanceWatermark(watermark: number, shouldPause?: () => boolean): boolean {
    this.watermark = watermark;
    const heap = this.eventTimeTimers;
    const { keyContext, triggerable } = this.options;
    for (let timer = heap.peek(); timer !== undefined && timer.timestamp <= watermark; timer = heap.peek()) {
      heap.poll();
      keyContext.setCurrentKey(timer.key as K);
      triggerable.onEventTime(timer as InternalTimer<K, N>);
      if (shouldPause?.()) {
        const next = heap.peek();
        return next === undefined || next.timestamp > watermark;
      }
    }
    return true;
  }

  numEventTimeTimers(): number {
    return this.eventTimeTimers.size;
  }

  numProcessingTimeTimers(): number {
    return this.processingTimeTimers.size;
  }

  /** Stops the registration with the clock (the operator closes). */
  close(): void {
    this.scheduled?.cancel();
    this.scheduled = undefined;
    this.scheduledAt = Number.POSITIVE_INFINITY;
  }

  /** Both domains' timers with their key groups (see the module comment). */
  snapshot(): Uint8Array {
    const out = new DataOutputView(256);
    out.writeInt32(MAGIC);
    out.writeInt32(VERSION);
    for (const heap of [this.eventTimeTimers, this.processingTimeTimers]) {
      out.writeInt32(heap.size);
      for (const timer of heap.values()) {
        out.writeInt32(timer.keyGroup);
        out.writeFloat64(timer.timestamp);
        GenericSerializer.INSTANCE.write(timer.key, out);
        const isVoid = timer.namespace === VOID_NAMESPACE;
        out.writeBoolean(isVoid);
        if (!isVoid) GenericSerializer.INSTANCE.write(timer.namespace, out);
      }
    }
    return Uint8Array.from(out.buf.subarray(0, out.pos));
  }

  /** Adds the timers of `snapshots` whose key groups are in this operator's range. */
  restore(snapshots: readonly Uint8Array[]): void {
    const { start, end } = this.options.keyGroupRange;
    for (const bytes of snapshots) {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const input = new DataInputView(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
      if (buf.byteLength < 8 || input.readInt32() !== MAGIC) throw errors.corruptRecord('not a timer snapshot (bad magic number)');
      const version = input.readInt32();
      if (version !== VERSION) throw errors.corruptRecord(`timer snapshot version ${version} is not supported (expected ${VERSION})`);
      for (const heap of [this.eventTimeTimers, this.processingTimeTimers]) {
        const count = input.readInt32();
        for (let i = 0; i < count; i++) {
          const keyGroup = input.readInt32();
          const timestamp = input.readFloat64();
          const key = GenericSerializer.INSTANCE.read(input);
          const namespace = input.readBoolean() ? VOID_NAMESPACE : GenericSerializer.INSTANCE.read(input);
          if (keyGroup < start || keyGroup > end) continue;
          heap.add(timestamp, key, namespace, keyGroup, identityOf(key), namespaceId(namespace));
        }
      }
    }
    const first = this.processingTimeTimers.peek();
    if (first !== undefined) this.scheduleFor(first.timestamp);
  }

  private scheduleFor(time: number): void {
    if (time >= this.scheduledAt) return;
    this.scheduled?.cancel();
    this.scheduledAt = time;
    this.scheduled = this.options.processingTimeService.registerTimer(time, this.fireProcessingTime);
  }

  private onProcessingTime(time: number): void {
    this.scheduled = undefined;
    this.scheduledAt = Number.POSITIVE_INFINITY;
    const heap = this.processingTimeTimers;
    const { keyContext, triggerable } = this.options;
    for (let timer = heap.peek(); timer !== undefined && timer.timestamp <= time; timer = heap.peek()) {
      heap.poll();
      keyContext.setCurrentKey(timer.key as K);
      triggerable.onProcessingTime(timer as InternalTimer<K, N>);
    }
    const next = heap.peek();
    if (next !== undefined) this.scheduleFor(next.timestamp);
  }
}

function namespaceId(namespace: unknown): string {
  return namespace === VOID_NAMESPACE ? '' : identityOf(namespace);
}

function checkTime(time: number): void {
  if (typeof time !== 'number' || Number.isNaN(time)) {
    throw errors.invalidArgumentType('timer time', time, 'expected a number: epoch milliseconds (event time or processing time)');
  }
}
