/**
 * A throw-away project that uses strom as a user would: a temp directory with its own
 * package.json ("type": "module" or "commonjs"), `node_modules/strom` linked to this checkout,
 * and job modules written as text (TypeScript ones must not go through this repository's tsc).
 * Programs run as real child processes with a timeout, so a hang fails instead of blocking.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist/src/cli/main.js');
export const TSX = join(ROOT, 'node_modules/.bin/tsx');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class JobProject {
  readonly dir: string;

  constructor(type: 'module' | 'commonjs') {
    this.dir = mkdtempSync(join(tmpdir(), `strom-project-${type}-`));
    writeFileSync(join(this.dir, 'package.json'), `${JSON.stringify({ name: 'job-project', version: '1.0.0', type }, null, 2)}\n`);
    mkdirSync(join(this.dir, 'node_modules'));
    symlinkSync(ROOT, join(this.dir, 'node_modules/strom'), 'dir');
  }

  write(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Runs `command args` in the project directory; never throws, never hangs (60 s). */
  run(command: string, args: string[]): Promise<Ran> {
    return new Promise((resolve) => {
      execFile(command, args, { cwd: this.dir, timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  node(...args: string[]): Promise<Ran> {
    return this.run(process.execPath, args);
  }

  strom(...args: string[]): Promise<Ran> {
    return this.run(process.execPath, [CLI, ...args]);
  }

  /** The lines of a writeAsText output: one file, or every file of its directory; sorted. */
  lines(name: string): string[] {
    const path = this.path(name);
    const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
    return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean)).sort();
  }

  /**
   * Who called the job's builder, from `builds.log`: the main thread (thread 0) and task-slot
   * workers. A job run once on p slots: main once (planning), workers p times (one per slot).
   */
  builds(): { main: number; workers: number } {
    const threads = this.exists('builds.log') ? readFileSync(this.path('builds.log'), 'utf8').split('\n').filter(Boolean) : [];
    return { main: threads.filter((t) => t === '0').length, workers: threads.filter((t) => t !== '0').length };
  }

  exists(name: string): boolean {
    try {
      statSync(this.path(name));
      return true;
    } catch {
      return false;
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `body` in a fresh project holding `a.txt` (TEXT_A) and `b.txt` (TEXT_B), then removes it. */
export async function inProject(type: 'module' | 'commonjs', body: (project: JobProject) => Promise<void>): Promise<void> {
  const project = new JobProject(type);
  try {
    project.write('a.txt', TEXT_A);
    project.write('b.txt', TEXT_B);
    await body(project);
  } finally {
    project.remove();
  }
}

/** The word counts (BATCH: final counts only) of the texts the job modules below read. */
export const TEXT_A = 'to be or not to be\n';
export const COUNTS_A = ['(be,2)', '(not,1)', '(or,1)', '(to,2)'];
export const TEXT_B = 'the cat\nthe hat\n';
export const COUNTS_B = ['(cat,1)', '(hat,1)', '(the,2)'];

type Language = 'ts' | 'js';

/** What the builder below needs in scope, as ES imports or CommonJS requires. */
const ESM_IMPORTS = "import { appendFileSync } from 'node:fs';\nimport { threadId } from 'node:worker_threads';\n";
const CJS_IMPORTS = "const { appendFileSync } = require('node:fs');\nconst { threadId } = require('node:worker_threads');\n";

/**
 * WordCount's builder, with TypeScript annotations or without. Each call appends its thread's
 * id to `builds.log` (see `JobProject.builds()`).
 */
function wordCount(lang: Language, sink: string): string {
  const t = (annotation: string) => (lang === 'ts' ? annotation : '');
  return `defineJob((env, params) => {
  appendFileSync('builds.log', \`\${threadId}\\n\`);
  env
    .readTextFile(params.input)
    .flatMap((line${t(': string')}, out${t(': (w: [string, number]) => void')}) => {
      for (const w of line.split(/\\W+/)) if (w) out([w, 1]);
    })
    .returns(Types.TUPLE(Types.STRING, Types.DOUBLE))
    .keyBy(0)
    .sum(1)
    ${sink};
  return 'WordCount';
})`;
}

/** The module's own options: hard-coded params and config that the CLI's must override. */
const OWN_OPTIONS = `{ params: { input: 'a.txt', output: 'module-out' }, config: { 'parallelism.default': 2, 'execution.runtime-mode': 'BATCH' } }`;

/**
 * An ES job module (README style) that exports its job and runs it at its top level with
 * `how`, then prints one line with what it got.
 */
export function selfRunningModule(lang: Language, how: 'execute' | 'executeAndCollect' | 'submit'): string {
  const sink = how === 'executeAndCollect' ? '.collect()' : '.writeAsText(params.output)';
  const head = `${ESM_IMPORTS}import { defineJob, ${how}, Types } from 'strom';\n\nconst job = ${wordCount(lang, sink)};\nexport default job;\n\n`;
  switch (how) {
    case 'execute':
      return `${head}const result = await execute(job, ${OWN_OPTIONS});\nconsole.log(\`after execute: \${result.jobName}, \${result.tasks.length} subtasks\`);\n`;
    case 'submit':
      return `${head}const client = submit(job, ${OWN_OPTIONS});\nconst result = await client.result;\nconsole.log(\`after submit: \${result.jobName}, \${result.tasks.length} subtasks\`);\n`;
    case 'executeAndCollect':
      return (
        `${head}const counts${lang === 'ts' ? ': Array<[string, number]>' : ''} = [];\n` +
        `for await (const count of executeAndCollect(job, ${OWN_OPTIONS})) counts.push(count);\n` +
        `console.log(\`after executeAndCollect: \${counts.map(([w, n]) => \`(\${w},\${n})\`).sort().join(' ')}\`);\n`
      );
  }
}

/** A job module that only exports its job (ESM, or CommonJS with require / module.exports). */
export function exportOnlyModule(lang: Language, format: 'esm' | 'cjs'): string {
  const job = wordCount(lang, '.writeAsText(params.output)');
  if (format === 'esm') return `${ESM_IMPORTS}import { defineJob, Types } from 'strom';\n\nexport default ${job};\n`;
  return `${CJS_IMPORTS}const { defineJob, Types } = require('strom');\n\nmodule.exports = ${job};\n`;
}

/**
 * A job module that runs itself without top-level await, `execute(job).then(...)` (CommonJS has
 * none): with import/export, or with require / module.exports.
 */
export function selfRunningThenModule(lang: Language, format: 'esm' | 'cjs'): string {
  const job = wordCount(lang, '.writeAsText(params.output)');
  const head =
    format === 'esm'
      ? `${ESM_IMPORTS}import { defineJob, execute, Types } from 'strom';\n\nconst job = ${job};\nexport default job;\n\n`
      : `${CJS_IMPORTS}const { defineJob, execute, Types } = require('strom');\n\nconst job = ${job};\nmodule.exports = job;\n\n`;
  return `${head}void execute(job, ${OWN_OPTIONS}).then((result) => console.log(\`after execute: \${result.jobName}, \${result.tasks.length} subtasks\`));\n`;
}
