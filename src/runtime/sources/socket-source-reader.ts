/**
 * The reader of a `socketTextStream(host, port, delimiter)` source (Flink's
 * SocketTextStreamFunction): connects on the first `poll()`, cuts the byte stream at the
 * delimiter's UTF-8 bytes and decodes each record's bytes as a whole (a delimiter or a multi-byte
 * character cut across TCP chunks is reassembled; UTF-8 is self-synchronising, so the delimiter's
 * bytes never match inside another character). With the `\n` delimiter one trailing `\r` is
 * dropped from each record. When the peer closes, the bytes after the last delimiter are emitted
 * as a last record if there are any, then the source ends. Non-parallel: subtask 0 of 1.
 *
 * Non-blocking: the socket's events fill a queue of records; `poll()` drains it, returns WAITING
 * with `ready` when it is empty. Backpressure: above `socketHighWaterLines` queued records the
 * socket is paused (the kernel buffers fill and TCP slows the sender); it resumes once `poll()`
 * has drained the queue.
 *
 * Errors (refused connection, reset, ...) become a `SourceError` (`ERR_SOURCE_SOCKET`) naming
 * host:port, thrown by the first `poll()` after the records received before it.
 */
import { connect, type Socket } from 'node:net';
import { errors, type SourceError } from '../../errors.js';
import { checkNonParallel, SourceStatus, UNBLOCKED, type SourceOutput, type SourceReader, type SourceReaderContext, type SourceReaderOptions } from './source-reader.js';

const CARRIAGE_RETURN = 0x0d;
const DEFAULT_HIGH_WATER_LINES = 4096;
const EMPTY = Buffer.alloc(0);

/** Emits the delimited records read from a TCP connection. */
export class SocketSourceReader implements SourceReader<unknown> {
  readonly #host: string;
  readonly #port: number;
  readonly #delimiter: Buffer;
  readonly #stripCarriageReturn: boolean;
  readonly #highWater: number;

  #socket: Socket | undefined;
  #socketClosed: Promise<void> | undefined;
  #connected = false;
  #paused = false;
  /** Bytes received after the last delimiter. */
  #pending: Buffer = EMPTY;
  /** Decoded records not yet emitted: `#records[#head..]`. */
  #records: string[] = [];
  #head = 0;
  #ended = false;
  #failure: SourceError | undefined;
  #closed = false;
  #bytes = 0;
  #waiter: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(host: string, port: number, delimiter: string, context: SourceReaderContext, options: SourceReaderOptions) {
    checkNonParallel('socket', context);
    if (typeof delimiter !== 'string' || delimiter.length === 0) throw errors.invalidArgumentType('delimiter', delimiter, 'expected a non-empty string');
    const highWater = options.socketHighWaterLines ?? DEFAULT_HIGH_WATER_LINES;
    if (!Number.isSafeInteger(highWater) || highWater < 1) throw errors.argumentOutOfRange('socketHighWaterLines', highWater, 'expected an integer >= 1');
    this.#host = host;
    this.#port = port;
    this.#delimiter = Buffer.from(delimiter, 'utf8');
    this.#stripCarriageReturn = delimiter === '\n';
    this.#highWater = highWater;
  }

  poll(max: number, emit: (record: unknown) => void, output: SourceOutput = UNBLOCKED): number {
    if (this.#closed) return SourceStatus.END;
    if (this.#socket === undefined) this.#connect();
    const records = this.#records;
    let emitted = 0;
    while (emitted < max && this.#head < records.length && output.blocked === 0) {
      const record = records[this.#head++];
      emitted++;
      emit(record);
    }
    if (this.#head === records.length) {
      records.length = 0;
      this.#head = 0;
      if (this.#paused && !this.#ended && this.#failure === undefined) {
        this.#paused = false;
        this.#socket?.resume();
      }
    } else {
      return SourceStatus.MORE;
    }
    if (this.#failure !== undefined) {
      if (emitted > 0) return SourceStatus.MORE;
      throw this.#failure;
    }
    if (this.#ended) {
      void this.close();
      return SourceStatus.END;
    }
    if (this.#waiter === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#waiter = { promise, resolve };
    }
    return SourceStatus.WAITING;
  }

  get ready(): Promise<void> | undefined {
    return this.#waiter?.promise;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#records = [];
    this.#head = 0;
    this.#pending = EMPTY;
    this.#wake();
    const socket = this.#socket;
    if (socket === undefined) return Promise.resolve();
    if (!socket.destroyed) socket.destroy();
    return this.#socketClosed ?? Promise.resolve();
  }

  get bytesRead(): number {
    return this.#bytes;
  }

  get totalBytes(): number | undefined {
    return undefined;
  }

  /** Whether the socket is paused because too many records are queued (for tests and metrics). */
  get isPaused(): boolean {
    return this.#paused;
  }

  #connect(): void {
    const socket = connect({ host: this.#host, port: this.#port });
    this.#socket = socket;
    this.#socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('connect', () => {
      this.#connected = true;
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.#closed || this.#failure !== undefined) return;
      const detail = this.#connected ? `connection lost: ${describe(error)}` : `cannot connect: ${describe(error)}`;
      this.#failure = errors.sourceSocket(this.#host, this.#port, detail, error);
      this.#wake();
    });
    // A close without 'end' or 'error' still ends the source.
    socket.on('close', () => this.#onEnd());
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#bytes += chunk.length;
    const delimiter = this.#delimiter;
    const previous = this.#pending;
    const bytes = previous.length > 0 ? Buffer.concat([previous, chunk]) : chunk;
    // The pending bytes hold no whole delimiter, but one may end in the new chunk.
    let from = Math.max(0, previous.length - delimiter.length + 1);
    let start = 0;
    const before = this.#records.length;
    for (;;) {
      const at = bytes.indexOf(delimiter, from);
      if (at < 0) break;
      let end = at;
      if (this.#stripCarriageReturn && end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
      this.#records.push(bytes.toString('utf8', start, end));
      start = from = at + delimiter.length;
    }
    // Copy the tail so the chunk it came from can be freed.
    this.#pending = start === 0 ? bytes : start < bytes.length ? Buffer.from(bytes.subarray(start)) : EMPTY;
    if (this.#records.length > before) {
      if (!this.#paused && this.#records.length - this.#head > this.#highWater) {
        this.#paused = true;
        this.#socket?.pause();
      }
      this.#wake();
    }
  }

  /** The peer closed: the bytes after the last delimiter are the last record (Flink collects them too). */
  #onEnd(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#closed && this.#failure === undefined && this.#pending.length > 0) this.#records.push(this.#pending.toString('utf8'));
    this.#pending = EMPTY;
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve();
    }
  }
}

function describe(error: NodeJS.ErrnoException): string {
  return error.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : error.message;
}
