/**
 * What `strom run` / `strom wordcount` show while a job runs, on stderr (stdout belongs to the
 * job's print sinks): on a terminal a live table refreshed in place, with a progress bar when the
 * input size is known; otherwise a plain log line now and then. At the end, a summary table.
 * One row per task (its subtasks added up), with Flink's metrics and back-pressure levels.
 */
import type { JobClient } from '../client/submit.js';
import type { JobExecutionResult } from '../client/job-run.js';
import type { JobMetricsSnapshot, TaskMetricsSnapshot } from '../runtime/metrics/job-metrics.js';

export interface StatusViewOptions {
  /** Where to draw: normally process.stderr. */
  stream: NodeJS.WriteStream;
  /** Bytes the sources will read in total, for the progress bar (undefined: no bar). */
  inputBytes?: number;
  /** Refresh interval of the live view, ms. Default 500. */
  intervalMs?: number;
  /** Interval of the plain log lines when not on a terminal, ms. Default 5000. */
  logIntervalMs?: number;
}

/** One task: its subtasks' figures added up (rates, counts) or taken at their worst (levels). */
interface TaskRow {
  task: string;
  subtasks: number;
  recordsInPerSecond: number;
  recordsOutPerSecond: number;
  recordsIn: number;
  recordsOut: number;
  level: 'ok' | 'low' | 'high';
  busyPercent: number;
  outPoolUsage: number;
  stateBytes: number;
  /** The lowest currentInputWatermark of its subtasks (Flink's web UI shows the same per vertex). */
  inputWatermark: number;
}

const LEVEL_ORDER = { ok: 0, low: 1, high: 2 } as const;

export function taskRows(tasks: readonly TaskMetricsSnapshot[]): TaskRow[] {
  const rows = new Map<number, TaskRow>();
  for (const t of tasks) {
    let row = rows.get(t.vertexId);
    if (!row) {
      row = { task: t.task, subtasks: 0, recordsInPerSecond: 0, recordsOutPerSecond: 0, recordsIn: 0, recordsOut: 0, level: 'ok', busyPercent: 0, outPoolUsage: 0, stateBytes: 0, inputWatermark: Number.POSITIVE_INFINITY };
      rows.set(t.vertexId, row);
    }
    row.subtasks++;
    row.recordsInPerSecond += t.numRecordsInPerSecond;
    row.recordsOutPerSecond += t.numRecordsOutPerSecond;
    row.recordsIn += t.numRecordsIn;
    row.recordsOut += t.numRecordsOut;
    if (LEVEL_ORDER[t.backPressureLevel] > LEVEL_ORDER[row.level]) row.level = t.backPressureLevel;
    row.busyPercent += t.busyTimeMsPerSecond / 10;
    row.outPoolUsage = Math.max(row.outPoolUsage, t.outPoolUsage);
    row.stateBytes += t.stateBytes;
    row.inputWatermark = Math.min(row.inputWatermark, t.currentInputWatermark);
  }
  for (const row of rows.values()) row.busyPercent /= row.subtasks;
  return [...rows.values()];
}

/** 1234567 -> "1.23M". */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A watermark for the table: '-' before any, 'end' for MAX_WATERMARK, else its UTC time. */
export function watermarkText(watermark: number): string {
  if (watermark === Number.NEGATIVE_INFINITY) return '-';
  if (watermark === Number.POSITIVE_INFINITY) return 'end';
  return new Date(watermark).toISOString().replace('T', ' ').slice(0, 23);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The live table's lines for one snapshot. */
export function liveLines(snapshot: JobMetricsSnapshot, elapsedMs: number, inputBytes?: number): string[] {
  const lines: string[] = [];
  lines.push(`Job '${snapshot.jobName}' running for ${(elapsedMs / 1000).toFixed(1)} s`);
  if (inputBytes && inputBytes > 0) {
    const ratio = Math.min(1, sourceBytes(snapshot) / inputBytes);
    const width = 30;
    const filled = Math.round(ratio * width);
    lines.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}% of ${bytes(inputBytes)}`);
  }
  const rows = taskRows(snapshot.tasks).map((r) => [
    `${r.task} (${r.subtasks})`,
    `${compact(r.recordsInPerSecond)}/s`,
    `${compact(r.recordsOutPerSecond)}/s`,
    r.level,
    `${r.busyPercent.toFixed(0)}%`,
    `${(r.outPoolUsage * 100).toFixed(0)}%`,
    r.stateBytes > 0 ? bytes(r.stateBytes) : '-',
    watermarkText(r.inputWatermark),
  ]);
  lines.push(...table(['task', 'in', 'out', 'back-pressure', 'busy', 'out pool', 'state', 'input watermark'], rows));
  const tm = snapshot.taskManager;
  const heap = tm.heap.reduce((n, h) => n + h.heapUsed, 0);
  lines.push(
    `network segments ${tm.usedMemorySegments}/${tm.totalMemorySegments} used, managed memory ${bytes(tm.managedMemoryUsed)} of ${bytes(tm.managedMemoryTotal)}, worker heap ${bytes(heap)}`,
  );
  return lines;
}

/** Bytes the sources read: a source task (task 0 of the plan reads no channels) reports its reader's bytes. */
function sourceBytes(snapshot: JobMetricsSnapshot): number {
  return snapshot.tasks.filter((t) => t.vertexId === 0).reduce((n, t) => n + t.numBytesIn, 0);
}

/** The end-of-job summary's lines. */
export function summaryLines(result: JobExecutionResult): string[] {
  const rows = new Map<number, { task: string; n: number; in: number; out: number; bytesIn: number; bytesOut: number; bp: number; ms: number }>();
  for (const t of result.tasks) {
    const task = t.name.replace(/ \(\d+\/\d+\)$/, '');
    const row = rows.get(t.vertexId) ?? { task, n: 0, in: 0, out: 0, bytesIn: 0, bytesOut: 0, bp: 0, ms: 0 };
    row.n++;
    row.in += t.numRecordsIn;
    row.out += t.numRecordsOut;
    row.bytesIn += t.numBytesIn;
    row.bytesOut += t.numBytesOut;
    row.bp += t.backPressuredTimeMs;
    row.ms = Math.max(row.ms, t.durationMs);
    rows.set(t.vertexId, row);
  }
  const lines = [`Job '${result.jobName}' finished in ${(result.durationMs / 1000).toFixed(2)} s on ${result.slots} task slot(s).`];
  lines.push(
    ...table(
      ['task', 'subtasks', 'records in', 'records out', 'bytes in', 'bytes out', 'back-pressured', 'duration'],
      [...rows.values()].map((r) => [
        r.task,
        String(r.n),
        compact(r.in),
        compact(r.out),
        bytes(r.bytesIn),
        bytes(r.bytesOut),
        `${r.bp.toFixed(0)} ms`,
        `${r.ms.toFixed(0)} ms`,
      ]),
    ),
  );
  const segments = result.networkSegments;
  lines.push(`network segments back in the pool: ${segments.availableAtEnd}/${segments.total}`);
  return lines;
}

/** Draws the job's status until it ends; returns a function that stops drawing. */
export function showStatus(client: JobClient, options: StatusViewOptions): () => void {
  const stream = options.stream;
  const started = performance.now();
  let drawn = 0;
  const draw = () => {
    let snapshot: JobMetricsSnapshot;
    try {
      snapshot = client.metrics();
    } catch {
      return; // metrics are off or the job ended between ticks
    }
    const lines = liveLines(snapshot, performance.now() - started, options.inputBytes);
    if (stream.isTTY) {
      // Move up over the previous frame and redraw it in place.
      if (drawn > 0) stream.write(`\x1b[${drawn}F`);
      stream.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
      drawn = lines.length;
    } else {
      const rows = taskRows(snapshot.tasks)
        .map((r) => `${r.task}: ${compact(r.recordsInPerSecond)}/s in, ${compact(r.recordsOutPerSecond)}/s out, ${r.level}, busy ${r.busyPercent.toFixed(0)}%`)
        .join('; ');
      stream.write(`[strom] ${((performance.now() - started) / 1000).toFixed(1)}s ${rows}\n`);
    }
  };
  const timer = setInterval(draw, stream.isTTY ? (options.intervalMs ?? 500) : (options.logIntervalMs ?? 5000));
  timer.unref();
  return () => clearInterval(timer);
}
