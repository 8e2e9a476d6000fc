/**
 * Loads a job module for `strom run` / `strom explain`: JavaScript or TypeScript (through tsx),
 * and finds its job (the default export, or its only job export).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isJobDefinition, type JobDefinition } from '../api/define-job.js';
import { UsageError } from './usage.js';

export async function loadJob(path: string): Promise<{ job: JobDefinition; module: string }> {
  const module = pathToFileURL(resolve(path)).href;
  if (/\.[cm]?ts$/.test(path)) {
    const tsx = (await import('tsx/esm/api')) as { register: () => unknown };
    tsx.register();
  }
  const exports = (await import(module)) as Record<string, unknown>;
  const jobs = [...new Set(Object.values(exports).filter(isJobDefinition))];
  const job = isJobDefinition(exports.default) ? exports.default : jobs.length === 1 ? jobs[0] : undefined;
  if (!job) throw new UsageError(`${path} does not export a job: export default defineJob((env, params) => { ... })`);
  return { job, module };
}
