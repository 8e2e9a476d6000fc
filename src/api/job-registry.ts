/**
 * The jobs a thread has defined: `defineJob` registers every job it makes under an id,
 * `<module URL>#<ordinal>` (the module that called defineJob and how many jobs that module had
 * defined before). A task-slot worker imports the job's module and takes the job from here as
 * soon as defineJob registered it, without waiting for the module's evaluation to end: a job
 * module whose top level awaits `execute(job)` never finishes evaluating in a worker.
 *
 * The registry lives on `globalThis` under `Symbol.for('strom.jobRegistry')`, not in a module
 * variable: every copy of strom loaded in a thread (an ESM and a CJS build, two installs) must
 * share it. Its shape is therefore part of the contract between copies.
 */
import type { JobDefinition } from './define-job.js';

const REGISTRY = Symbol.for('strom.jobRegistry');

interface JobRegistry {
  /**
   * Registered jobs by id, held weakly: a program that defines jobs as it goes (one per request)
   * must not keep them all alive. A job module keeps its own job (its export, or the pending
   * call that awaits it), and a waiting worker gets the job itself when it is registered.
   */
  readonly jobs: Map<string, WeakRef<JobDefinition>>;
  /** Drops the entry of a job that was garbage-collected. */
  readonly forget: FinalizationRegistry<string>;
  /** Per module URL: how many jobs it defined so far (the next ordinal). */
  readonly ordinals: Map<string, number>;
  /** Callbacks waiting for an id to be registered. */
  readonly waiters: Map<string, Set<(job: JobDefinition) => void>>;
}

function registry(): JobRegistry {
  const holder = globalThis as { [REGISTRY]?: JobRegistry };
  if (holder[REGISTRY]) return holder[REGISTRY];
  const jobs = new Map<string, WeakRef<JobDefinition>>();
  const forget = new FinalizationRegistry<string>((id) => {
    if (jobs.get(id)?.deref() === undefined) jobs.delete(id);
  });
  return (holder[REGISTRY] = { jobs, forget, ordinals: new Map(), waiters: new Map() });
}

/** The id the next job defined by `module` gets (and counts it). */
export function nextJobId(module: string): string {
  const { ordinals } = registry();
  const ordinal = ordinals.get(module) ?? 0;
  ordinals.set(module, ordinal + 1);
  return `${module}#${ordinal}`;
}

/** Registers `job` under its id and wakes whoever waits for it. */
export function registerJob(id: string, job: JobDefinition): void {
  const { jobs, forget, waiters } = registry();
  jobs.set(id, new WeakRef(job));
  forget.register(job, id);
  const waiting = waiters.get(id);
  if (!waiting) return;
  waiters.delete(id);
  for (const wake of waiting) wake(job);
}

/** The job registered under `id` in this thread, if any. */
export function registeredJob(id: string): JobDefinition | undefined {
  return registry().jobs.get(id)?.deref();
}

/**
 * Resolves with the job registered under `id` (at once if it already is). `stop()` drops the
 * wait (the promise then stays pending), e.g. once the module finished without defining it.
 */
export function whenJobRegistered(id: string): { job: Promise<JobDefinition>; stop: () => void } {
  const known = registeredJob(id);
  if (known) return { job: Promise.resolve(known), stop: () => {} };
  const { waiters } = registry();
  let wake!: (job: JobDefinition) => void;
  const job = new Promise<JobDefinition>((resolve) => (wake = resolve));
  let waiting = waiters.get(id);
  if (!waiting) waiters.set(id, (waiting = new Set()));
  waiting.add(wake);
  return {
    job,
    stop: () => {
      const set = waiters.get(id);
      set?.delete(wake);
      if (set?.size === 0) waiters.delete(id);
    },
  };
}
