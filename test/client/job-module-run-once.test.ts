/**
 * A job module is a program: however it is started (`node job.js`, `tsx job.ts`, imported by
 * another script), its job runs exactly once, on the main thread, and its code after a
 * top-level `await execute(job)` runs once, although every task-slot worker imports the module
 * too. Each case runs a real child process in a throw-away project (test/support/job-project.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTS_A, inProject, selfRunningModule, selfRunningThenModule, TSX } from '../support/job-project.js';

/** The lines the module printed after its job: exactly one expected. */
function afterLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('after '));
}

describe('a job module that runs itself at its top level ("type": "module" project)', () => {
  it('node job.js: `await execute(job)` runs the job once at parallelism 2 and the code after it runs once', () =>
    inProject('module', async (project) => {
      project.write('execute.js', selfRunningModule('js', 'execute'));
      const ran = await project.node('execute.js');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('module-out'), COUNTS_A);
    }));

  it('node job.js: executeAndCollect in the job\'s own file yields every record and ends', () =>
    inProject('module', async (project) => {
      project.write('collect.js', selfRunningModule('js', 'executeAndCollect'));
      const ran = await project.node('collect.js');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), [`after executeAndCollect: ${COUNTS_A.join(' ')}`]);
    }));

  it('node job.js: submit in the job\'s own file runs the job once; its result arrives once', () =>
    inProject('module', async (project) => {
      project.write('submit.js', selfRunningModule('js', 'submit'));
      const ran = await project.node('submit.js');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after submit: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('module-out'), COUNTS_A);
    }));

  it('tsx job.ts: the TypeScript module runs directly under tsx, once', () =>
    inProject('module', async (project) => {
      project.write('execute-ts.ts', selfRunningModule('ts', 'execute'));
      const ran = await project.run(TSX, ['execute-ts.ts']);
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('module-out'), COUNTS_A);
    }));

  it('imported by another script: the module runs its job once, then the script goes on', () =>
    inProject('module', async (project) => {
      project.write('imported.js', selfRunningModule('js', 'execute'));
      project.write('script.js', `import job from './imported.js';\nconsole.log('script has', job.kind);\n`);
      const ran = await project.node('script.js');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.match(ran.stdout, /after execute: .*\nscript has strom-job\n$/);
    }));
});

describe('a job module that runs itself ("type": "commonjs" project)', () => {
  it('node job.js: a CommonJS module\'s `execute(job).then(...)` runs once', () =>
    inProject('commonjs', async (project) => {
      project.write('execute.js', selfRunningThenModule('js', 'cjs'));
      const ran = await project.node('execute.js');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('module-out'), COUNTS_A);
    }));

  it('tsx job.ts: a TypeScript module in a CommonJS package runs once', () =>
    inProject('commonjs', async (project) => {
      project.write('execute-ts.ts', selfRunningThenModule('ts', 'esm'));
      const ran = await project.run(TSX, ['execute-ts.ts']);
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('module-out'), COUNTS_A);
    }));
});

describe('a job defined after a top-level await of another job', () => {
  it('fails with an error that says to define it before the await, instead of hanging in the workers', () =>
    inProject('module', async (project) => {
      project.write(
        'late.js',
        "import { defineJob, executeAndCollect } from 'strom';\n" +
          'const first = [];\n' +
          'for await (const x of executeAndCollect(defineJob((env) => { env.fromElements(1, 2, 3).map((x) => x + 1).collect(); }))) first.push(x);\n' +
          'console.log(`first ${first.join(",")}`);\n' +
          'const late = defineJob((env) => { env.fromElements(4, 5).map((x) => x * 10).collect(); });\n' +
          'for await (const x of executeAndCollect(late)) console.log(`late ${x}`);\n',
      );
      const ran = await project.node('late.js');
      assert.match(ran.stdout, /^first 2,3,4$/m, ran.stderr);
      assert.notEqual(ran.code, 0, 'the late job must fail');
      assert.notEqual(ran.code, null, `the process hung and was killed: ${ran.stderr}`);
      assert.match(ran.stderr, /after a top-level await of execute\(\), executeAndCollect\(\) or submit\(\)/);
      assert.doesNotMatch(ran.stdout, /^late /m);
    }));
});
