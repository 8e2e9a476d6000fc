import { Worker } from 'node:worker_threads';

/**
 * Runs a compiled fixture (a path relative to dist/test/fixtures) in a real worker thread and
 * resolves with the one message it posts. Rejects on a worker error or an exit without a result,
 * so a broken fixture fails the test instead of hanging it.
 */
export function runWorker<R>(fixture: string, workerData: unknown): Promise<R> {
  const url = new URL(`../fixtures/${fixture}`, import.meta.url);
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(url, { workerData });
    let settled = false;
    worker.once('message', (result: R) => {
      settled = true;
      resolve(result);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`worker ${fixture} exited with code ${code} before posting a result`));
    });
  });
}
