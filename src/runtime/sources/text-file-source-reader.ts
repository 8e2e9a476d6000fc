/**
 * The reader of a `readTextFile(path)` source: one subtask's share of the file's lines.
 *
 * Lines. A line starts at offset 0 (when the file is not empty) and right after every `\n` that
 * is not the file's last byte; it runs up to its `\n` (excluded) or the end of the file. So a
 * final `\n` adds no empty line (Flink's TextInputFormat), empty lines in the middle are kept as
 * `''`, and a last line without `\n` is still a line. One `\r` at the end of a line is dropped
 * (CRLF), as Flink's TextInputFormat does for the `\n` delimiter, also on a last line without
 * `\n`. Lines are cut on the `\n` byte and each line's bytes are decoded as UTF-8 as a whole, so
 * a multi-byte character is never cut, whatever the chunk or split boundaries.
 *
 * Split rule. With file size S (taken once, at open) and p subtasks, subtask i nominally owns the
 * bytes [s(i), s(i+1)) with s(i) = floor(i * S / p) (computed exactly as i*q + floor(i*r/p) with
 * q = floor(S/p), r = S mod p). It emits exactly the lines whose start offset lies in its range:
 * - its first line starts at s(i) when s(i) = 0; otherwise right after the first `\n` at an offset
 *   >= s(i) - 1 (if the byte at s(i) - 1 is `\n`, that is s(i) itself: a line starting exactly at
 *   the range start belongs to the range);
 * - it then emits line after line, each starting right after the previous one's `\n`, reading
 *   past s(i+1) to finish a line if needed, and stops at the first line start >= s(i+1) or at the
 *   end of the file.
 * Exactly once: the first rule finds the smallest line start >= s(i), and the second walks every
 * consecutive line start from there while it is < s(i+1), so subtask i emits precisely the line
 * starts in [s(i), s(i+1)). The ranges partition [0, S) (s(0) = 0, s(p) = S, s non-decreasing),
 * and every line start is < S, so each line is emitted by exactly one subtask, and the subtasks'
 * outputs concatenated in subtask order are the file's lines in order. Empty ranges (p > S, or
 * ranges inside one long line) emit nothing. Bytes appended to the file after open are ignored,
 * so all subtasks agree on S.
 *
 * Blocking. The file is read with `fs.readSync` in chunks (64 KiB by default) and each `poll()`
 * does at most `maxReadsPerPoll` reads (16 by default, 1 MiB): reads of a local regular file are
 * served from the page cache or the disk within microseconds to a few milliseconds, short enough
 * to do synchronously on a shared worker thread, and far cheaper than a thread-pool round trip
 * per chunk. So this reader never returns WAITING.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { errors, SourceError } from '../../errors.js';
import { checkContext, SourceStatus, UNBLOCKED, type SourceOutput, type SourceReader, type SourceReaderContext, type SourceReaderOptions } from './source-reader.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DEFAULT_CHUNK_SIZE = 64 * 1024;
const DEFAULT_MAX_READS_PER_POLL = 16;

/** The byte range [start, end) that subtask `index` of `parallelism` nominally owns in a file of `size` bytes. */
export function textFileSplit(size: number, index: number, parallelism: number): { start: number; end: number } {
  const q = Math.floor(size / parallelism);
  const r = size % parallelism;
  const at = (i: number): number => i * q + Math.floor((i * r) / parallelism);
  return { start: at(index), end: at(index + 1) };
}

/** Emits the lines of one subtask's split of a text file. */
export class TextFileSourceReader implements SourceReader<unknown> {
  readonly #path: string;
  readonly #context: SourceReaderContext;
  readonly #chunkSize: number;
  readonly #maxReads: number;

  #fd = -1;
  #done = false;
  /** File size at open; reads never go past it. */
  #size = 0;
  #start = 0;
  #end = 0;
  #bytes = 0;

  #chunk: Buffer = Buffer.alloc(0);
  /** The valid part of `#chunk`: bytes [#chunkPos, #chunkPos + #view.length) of the file. */
  #view: Buffer = Buffer.alloc(0);
  #chunkPos = 0;
  /** Where the search for the next `\n` resumes in `#view`. */
  #cursor = 0;
  /** Where the current line's bytes not yet copied into `#partial` begin in `#view`. */
  #lineCursor = 0;
  /** Earlier pieces (copies) of the current line when it spans chunks. */
  #partial: Buffer[] = [];
  /** Looking for the first line start of the split (subtasks whose range starts after 0). */
  #seeking = false;

  constructor(path: string, context: SourceReaderContext, options: SourceReaderOptions) {
    checkContext(context);
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const maxReads = options.maxReadsPerPoll ?? DEFAULT_MAX_READS_PER_POLL;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw errors.argumentOutOfRange('chunkSize', chunkSize, 'expected an integer >= 1');
    if (!Number.isSafeInteger(maxReads) || maxReads < 1) throw errors.argumentOutOfRange('maxReadsPerPoll', maxReads, 'expected an integer >= 1');
    this.#path = path;
    this.#context = context;
    this.#chunkSize = chunkSize;
    this.#maxReads = maxReads;
  }

  poll(max: number, emit: (record: unknown) => void, output: SourceOutput = UNBLOCKED): number {
    if (this.#done) return SourceStatus.END;
    if (this.#fd < 0) this.#open();
    let emitted = 0;
    let reads = 0;
    while (emitted < max && output.blocked === 0) {
      const view = this.#view;
      if (this.#seeking) {
        const at = view.indexOf(NEWLINE, this.#cursor);
        if (at >= 0) {
          this.#seeking = false;
          this.#cursor = this.#lineCursor = at + 1;
          continue;
        }
        this.#cursor = this.#lineCursor = view.length;
        if (reads === this.#maxReads) return SourceStatus.MORE;
        if (!this.#fill()) return this.#finish();
        reads++;
        continue;
      }
      // The current line starts at #chunkPos + #lineCursor unless earlier pieces were saved.
      if (this.#partial.length === 0 && this.#chunkPos + this.#lineCursor >= this.#end) return this.#finish();
      const at = view.indexOf(NEWLINE, this.#cursor);
      if (at >= 0) {
        const line = this.#takeLine(at);
        this.#cursor = this.#lineCursor = at + 1;
        emitted++;
        emit(line);
        continue;
      }
      this.#cursor = view.length;
      if (this.#chunkPos + view.length >= this.#size) {
        // End of file: the last line has no '\n' (it has bytes: its start is < end <= size).
        const line = this.#takeLine(view.length);
        this.#lineCursor = view.length;
        this.#finish();
        emit(line);
        return SourceStatus.END;
      }
      if (reads === this.#maxReads) return SourceStatus.MORE;
      if (this.#lineCursor < view.length) this.#partial.push(Buffer.from(view.subarray(this.#lineCursor)));
      this.#fill();
      reads++;
    }
    return SourceStatus.MORE;
  }

  get ready(): Promise<void> | undefined {
    return undefined;
  }

  close(): void {
    this.#done = true;
    this.#partial = [];
    this.#chunk = this.#view = Buffer.alloc(0);
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      try {
        closeSync(fd);
      } catch {
        // Nothing was written; a failing close of a read-only descriptor loses nothing.
      }
    }
  }

  /** Bytes of the split read so far (reads past the split's end to finish its last line are not counted). */
  get bytesRead(): number {
    return Math.min(this.#bytes, this.#end - this.#start);
  }

  /** The split's length in bytes, once the file is open (after the first poll). */
  get totalBytes(): number | undefined {
    return this.#fd >= 0 || this.#done ? this.#end - this.#start : undefined;
  }

  #open(): void {
    const path = this.#path;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw errors.sourceFile(path, describeSystemError(error), error);
    }
    try {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) throw errors.sourceFile(path, 'it is a directory, expected a file');
      if (!stats.isFile()) throw errors.sourceFile(path, 'it is not a regular file');
      this.#size = stats.size;
    } catch (error) {
      closeSync(fd);
      if (error instanceof SourceError) throw error;
      throw errors.sourceFile(path, describeSystemError(error), error);
    }
    this.#fd = fd;
    const { start, end } = textFileSplit(this.#size, this.#context.subtaskIndex, this.#context.parallelism);
    this.#start = start;
    this.#end = end;
    this.#chunk = Buffer.allocUnsafe(this.#chunkSize);
    this.#view = this.#chunk.subarray(0, 0);
    // A split starting after 0 looks for the first '\n' at or after start - 1.
    this.#seeking = start > 0;
    this.#chunkPos = this.#seeking ? start - 1 : 0;
    this.#cursor = this.#lineCursor = 0;
  }

  /** Reads the chunk after the current one; false at the end of the file. */
  #fill(): boolean {
    const offset = this.#chunkPos + this.#view.length;
    const wanted = Math.min(this.#chunkSize, this.#size - offset);
    if (wanted <= 0) return false;
    let got = 0;
    try {
      while (got < wanted) {
        const n = readSync(this.#fd, this.#chunk, got, wanted - got, offset + got);
        if (n === 0) break;
        got += n;
      }
    } catch (error) {
      throw errors.sourceFile(this.#path, describeSystemError(error), error);
    }
    // A file truncated under us ends early; otherwise `got === wanted`.
    if (got < wanted) this.#size = offset + got;
    this.#bytes += got;
    this.#chunkPos = offset;
    this.#view = this.#chunk.subarray(0, got);
    this.#cursor = this.#lineCursor = 0;
    return got > 0;
  }

  /** The current line, ending before `view[endAt]`, decoded; one trailing '\r' dropped. */
  #takeLine(endAt: number): string {
    const view = this.#view;
    if (this.#partial.length === 0) {
      let end = endAt;
      if (end > this.#lineCursor && view[end - 1] === CARRIAGE_RETURN) end--;
      return view.toString('utf8', this.#lineCursor, end);
    }
    this.#partial.push(view.subarray(this.#lineCursor, endAt));
    const bytes = Buffer.concat(this.#partial);
    this.#partial = [];
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    return bytes.toString('utf8', 0, end);
  }

  #finish(): number {
    this.close();
    this.#bytes = this.#end - this.#start;
    return SourceStatus.END;
  }
}

/** `ENOENT: no such file or directory` from a Node system error, else its message. */
function describeSystemError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text: Record<string, string> = {
      ENOENT: 'no such file or directory (ENOENT)',
      EACCES: 'permission denied (EACCES)',
      EPERM: 'operation not permitted (EPERM)',
      EISDIR: 'it is a directory, expected a file (EISDIR)',
    };
    return (code && text[code]) ?? error.message;
  }
  return String(error);
}
