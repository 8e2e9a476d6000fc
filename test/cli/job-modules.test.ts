/**
 * `strom run` / `strom explain` on job modules as users write them: modules that run themselves
 * at their top level (the CLI runs that call once, its own params and command line winning),
 * and TypeScript and JavaScript modules in "type": "module" and "type": "commonjs" packages.
 * Real child processes in throw-away projects (test/support/job-project.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTS_A, COUNTS_B, exportOnlyModule, inProject, selfRunningModule, selfRunningThenModule } from '../support/job-project.js';

function afterLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('after '));
}

describe('strom run on a module that runs itself at its top level', () => {
  it('runs the module\'s execute once with the CLI\'s params: only --output is written, the line after it prints once', () =>
    inProject('module', async (project) => {
      project.write('job.ts', selfRunningModule('ts', 'execute'));
      const ran = await project.strom('run', 'job.ts', '-q', '--', '--input', 'b.txt', '--output', 'cli-out');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('cli-out'), COUNTS_B);
      assert.equal(project.exists('module-out'), false, 'the module\'s own output must not be written');
    }));

  it('merges: the module\'s other params and config stay, the command line wins (-p 1 over its parallelism 2)', () =>
    inProject('module', async (project) => {
      project.write('job.js', selfRunningModule('js', 'execute'));
      const ran = await project.strom('run', 'job.js', '-p', '1', '--', '--output', 'cli-out');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 1 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 2 subtasks']);
      // Its input (a.txt) and BATCH mode (final counts only) come from the module.
      assert.deepEqual(project.lines('cli-out'), COUNTS_A);
      // The status view's summary is the CLI's.
      assert.match(ran.stderr, /Job 'WordCount' finished/);
    }));

  it('runs executeAndCollect in the job\'s own file once, and the loop gets every record', () =>
    inProject('module', async (project) => {
      project.write('collect.ts', selfRunningModule('ts', 'executeAndCollect'));
      const ran = await project.strom('run', 'collect.ts', '-q', '--', '--input', 'b.txt');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), [`after executeAndCollect: ${COUNTS_B.join(' ')}`]);
    }));

  it('runs submit in the job\'s own file once', () =>
    inProject('module', async (project) => {
      project.write('submit.js', selfRunningModule('js', 'submit'));
      const ran = await project.strom('run', 'submit.js', '-q', '--', '--output', 'cli-out');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after submit: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('cli-out'), COUNTS_A);
      assert.equal(project.exists('module-out'), false);
    }));

  it('exits 1 with the job\'s error when the job the module started fails', () =>
    inProject('module', async (project) => {
      project.write('job.js', selfRunningModule('js', 'execute'));
      const ran = await project.strom('run', 'job.js', '-q', '--', '--input', 'missing.txt', '--output', 'cli-out');
      assert.equal(ran.code, 1);
      assert.match(ran.stderr, /missing\.txt/);
      assert.deepEqual(afterLines(ran.stdout), []);
    }));
});

describe('strom explain on a module that runs itself at its top level', () => {
  it('explains the job with the CLI\'s options and exits, without running it', () =>
    inProject('module', async (project) => {
      project.write('job.ts', selfRunningModule('ts', 'execute'));
      const ran = await project.strom('explain', 'job.ts', '-p', '1');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 0 }, 'planned once on the main thread, never deployed');
      assert.match(ran.stdout, /^Job: WordCount$/m);
      assert.match(ran.stdout, /Source: readTextFile\(a\.txt\)/);
      assert.match(ran.stdout, /^Slots: 1 required/m);
      assert.deepEqual(afterLines(ran.stdout), []);
      assert.equal(project.exists('module-out'), false, 'explain must not run the job');
    }));
});

describe('strom run in a "type": "commonjs" project (npm init -y)', () => {
  const cases: Array<[string, string]> = [
    ['job.ts (import/export, compiled to CommonJS by tsx)', exportOnlyModule('ts', 'esm')],
    ['job.js (require / module.exports)', exportOnlyModule('js', 'cjs')],
    ['job.cjs', exportOnlyModule('js', 'cjs')],
    ['job.cts', exportOnlyModule('ts', 'esm')],
  ];
  for (const [name, text] of cases) {
    const file = name.split(' ')[0]!;
    it(`runs ${name} at parallelism 2`, () =>
      inProject('commonjs', async (project) => {
        project.write(file, text);
        const ran = await project.strom('run', file, '-q', '-p', '2', '-m', 'batch', '--', '--input', 'a.txt', '--output', 'cli-out');
        assert.equal(ran.code, 0, ran.stderr);
        assert.deepEqual(project.builds(), { main: 1, workers: 2 });
        assert.deepEqual(project.lines('cli-out'), COUNTS_A);
      }));
  }

  it('runs a CommonJS module\'s own execute(job).then(...) once, with the CLI\'s params', () =>
    inProject('commonjs', async (project) => {
      project.write('job.js', selfRunningThenModule('js', 'cjs'));
      const ran = await project.strom('run', 'job.js', '-q', '--', '--input', 'b.txt', '--output', 'cli-out');
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(project.builds(), { main: 1, workers: 2 }, 'planned once on the main thread, built once per slot');
      assert.deepEqual(afterLines(ran.stdout), ['after execute: WordCount, 4 subtasks']);
      assert.deepEqual(project.lines('cli-out'), COUNTS_B);
      assert.equal(project.exists('module-out'), false);
    }));

  it('says what to change for a .ts file with a top-level await in a CommonJS package', () =>
    inProject('commonjs', async (project) => {
      project.write('job.ts', selfRunningModule('ts', 'execute'));
      const ran = await project.strom('run', 'job.ts', '-q', '--', '--input', 'a.txt', '--output', 'cli-out');
      assert.equal(ran.code, 2, ran.stderr); // the job never started: a usage error
      assert.equal(ran.stderr.trim().split('\n').length, 1, ran.stderr);
      assert.match(ran.stderr, /job\.ts uses a top-level await, which only an ES module may, but Node loads it as CommonJS: the nearest package\.json .* Rename it to .*job\.mts, set "type": "module" in that package\.json, or call execute\(job\)\.then/);
      assert.equal(project.exists('cli-out'), false);
    }));

  it('says what to change for a .js file with import/export in a CommonJS package', () =>
    inProject('commonjs', async (project) => {
      project.write('job.js', exportOnlyModule('js', 'esm'));
      const ran = await project.strom('run', 'job.js', '-q', '--', '--input', 'a.txt', '--output', 'cli-out');
      assert.equal(ran.code, 2, ran.stderr); // the job never started: a usage error
      assert.equal(ran.stderr.trim().split('\n').length, 1, `one line, without Node's own warning: ${ran.stderr}`);
      assert.match(ran.stderr, /job\.js uses import\/export, but Node loads it as CommonJS: the nearest package\.json \(.*package\.json\) does not say "type": "module"\. Rename it to .*job\.mjs, set "type": "module" in that package\.json, or write it with require\(\) and module\.exports/);
    }));
});
