/**
 * Serves a job's metrics to Prometheus (prom-client's text format) over HTTP: `GET /metrics`.
 * Each scrape takes a fresh snapshot (rates since the previous scrape) and sets the metrics from
 * it; nothing runs between scrapes.
 *
 * Names (Flink's metric names under a `strom_` prefix and the Flink scope, one scheme):
 * - `strom_task_<name>` per subtask, labels `job`, `task` (the task's name without the subtask
 *   suffix), `subtask` (0-based index):
 *   counters `numRecordsIn`, `numRecordsOut`, `numBytesIn`, `numBytesOut`; gauges
 *   `numRecordsInPerSecond`, `numRecordsOutPerSecond`, `numBytesInPerSecond`,
 *   `numBytesOutPerSecond`, `busyTimeMsPerSecond`, `idleTimeMsPerSecond`,
 *   `backPressuredTimeMsPerSecond`, `isBackPressured` (0/1), `backPressureLevel`
 *   (0 ok, 1 low, 2 high), `buffers_inPoolUsage`, `buffers_outPoolUsage`,
 *   `buffers_inputQueueLength`, `buffers_outputQueueLength`, `state_bytes`, `state_keys`.
 * - `strom_taskmanager_Status_Network_TotalMemorySegments`, `..._AvailableMemorySegments`,
 *   `..._UsedMemorySegments`, `strom_taskmanager_Status_Managed_Memory_Total`,
 *   `..._Managed_Memory_Used` (bytes), label `job`; `strom_taskmanager_Status_Worker_Heap_Used`
 *   and `..._Heap_Total` (bytes), labels `job`, `slot`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { JobMetricsSnapshot, TaskMetricsSnapshot } from './job-metrics.js';

/** The counters (monotonic totals) of a task, by metric suffix. */
const TASK_COUNTERS = ['numRecordsIn', 'numRecordsOut', 'numBytesIn', 'numBytesOut'] as const;
/**
 * The gauges of a task: metric suffix -> value; undefined leaves the gauge out (as Flink
 * registers watermarkLag only once a watermark went out). Watermarks before any are -Inf.
 */
const TASK_GAUGES: Record<string, (t: TaskMetricsSnapshot) => number | undefined> = {
  numRecordsInPerSecond: (t) => t.numRecordsInPerSecond,
  numRecordsOutPerSecond: (t) => t.numRecordsOutPerSecond,
  numBytesInPerSecond: (t) => t.numBytesInPerSecond,
  numBytesOutPerSecond: (t) => t.numBytesOutPerSecond,
  busyTimeMsPerSecond: (t) => t.busyTimeMsPerSecond,
  idleTimeMsPerSecond: (t) => t.idleTimeMsPerSecond,
  backPressuredTimeMsPerSecond: (t) => t.backPressuredTimeMsPerSecond,
  isBackPressured: (t) => (t.isBackPressured ? 1 : 0),
  backPressureLevel: (t) => (t.backPressureLevel === 'ok' ? 0 : t.backPressureLevel === 'low' ? 1 : 2),
  buffers_inPoolUsage: (t) => t.inPoolUsage,
  buffers_outPoolUsage: (t) => t.outPoolUsage,
  buffers_inputQueueLength: (t) => t.inputQueueLength,
  buffers_outputQueueLength: (t) => t.outputQueueLength,
  state_bytes: (t) => t.stateBytes,
  state_keys: (t) => t.stateKeys,
  currentInputWatermark: (t) => t.currentInputWatermark,
  currentOutputWatermark: (t) => t.currentOutputWatermark,
  watermarkLag: (t) => t.watermarkLag,
};
const TM_GAUGES: Record<string, (s: JobMetricsSnapshot) => number> = {
  Status_Network_TotalMemorySegments: (s) => s.taskManager.totalMemorySegments,
  Status_Network_AvailableMemorySegments: (s) => s.taskManager.availableMemorySegments,
  Status_Network_UsedMemorySegments: (s) => s.taskManager.usedMemorySegments,
  Status_Managed_Memory_Total: (s) => s.taskManager.managedMemoryTotal,
  Status_Managed_Memory_Used: (s) => s.taskManager.managedMemoryUsed,
};

/** Options of the exporter. */
export interface PrometheusExporterOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** A fresh snapshot, taken at each scrape. */
  snapshot: () => JobMetricsSnapshot;
}

export class PrometheusExporter {
  readonly registry = new Registry();
  readonly #server: Server;
  readonly #snapshot: () => JobMetricsSnapshot;
  readonly #counters = new Map<string, Counter>();
  readonly #taskGauges = new Map<string, Gauge>();
  readonly #tmGauges = new Map<string, Gauge>();
  readonly #heapUsed: Gauge;
  readonly #heapTotal: Gauge;

  private constructor(options: PrometheusExporterOptions, server: Server) {
    this.#snapshot = options.snapshot;
    this.#server = server;
    const labelNames = ['job', 'task', 'subtask'];
    const registers = [this.registry];
    for (const name of TASK_COUNTERS) {
      this.#counters.set(name, new Counter({ name: `strom_task_${name}`, help: `Flink ${name} of a subtask (total)`, labelNames, registers }));
    }
    for (const name of Object.keys(TASK_GAUGES)) {
      this.#taskGauges.set(name, new Gauge({ name: `strom_task_${name}`, help: `Flink ${name.replace('_', '.')} of a subtask`, labelNames, registers }));
    }
    for (const name of Object.keys(TM_GAUGES)) {
      this.#tmGauges.set(name, new Gauge({ name: `strom_taskmanager_${name}`, help: `TaskManager ${name.replaceAll('_', '.')}`, labelNames: ['job'], registers }));
    }
    this.#heapUsed = new Gauge({ name: 'strom_taskmanager_Status_Worker_Heap_Used', help: 'V8 heap used by a task slot worker thread, bytes', labelNames: ['job', 'slot'], registers });
    this.#heapTotal = new Gauge({ name: 'strom_taskmanager_Status_Worker_Heap_Total', help: 'V8 heap size of a task slot worker thread, bytes', labelNames: ['job', 'slot'], registers });
  }

  /** Starts the HTTP server; resolves once it listens. */
  static async start(options: PrometheusExporterOptions): Promise<PrometheusExporter> {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RangeError(`metricsPort must be an integer port from 0 to 65535, got ${String(options.port)}`);
    }
    let exporter: PrometheusExporter | undefined;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('strom serves Prometheus metrics at /metrics\n');
        return;
      }
      exporter!.scrape().then(
        (text) => response.writeHead(200, { 'content-type': exporter!.registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
      );
    });
    exporter = new PrometheusExporter(options, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return exporter;
  }

  /** `http://host:port/metrics`. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/metrics`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Sets every metric from a fresh snapshot; returns the exposition text. */
  async scrape(): Promise<string> {
    this.update(this.#snapshot());
    return this.registry.metrics();
  }

  /** Sets every metric from `snapshot`. */
  update(snapshot: JobMetricsSnapshot): void {
    const job = snapshot.jobName;
    for (const counter of this.#counters.values()) counter.reset();
    for (const t of snapshot.tasks) {
      const labels = { job, task: t.task, subtask: String(t.subtaskIndex) };
      for (const name of TASK_COUNTERS) this.#counters.get(name)!.inc(labels, t[name]);
      for (const [name, value] of Object.entries(TASK_GAUGES)) {
        const v = value(t);
        if (v === undefined) this.#taskGauges.get(name)!.remove(labels);
        else this.#taskGauges.get(name)!.set(labels, v);
      }
    }
    for (const [name, value] of Object.entries(TM_GAUGES)) this.#tmGauges.get(name)!.set({ job }, value(snapshot));
    for (const h of snapshot.taskManager.heap) {
      this.#heapUsed.set({ job, slot: String(h.slot) }, h.heapUsed);
      this.#heapTotal.set({ job, slot: String(h.slot) }, h.heapTotal);
    }
  }

  /** Stops the server (open connections are closed). */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
