/**
 * strom as an npm package, the way a user gets it: `npm pack` of this checkout (which runs
 * prepack: TypeScript and the prebuilt addon), a fresh CommonJS project (`npm init -y`) that
 * installs the tarball, and real `npx strom` / `node` child processes in it. Also checks that
 * neither packing nor installing strom (from the tarball or from this directory) rebuilds the
 * checkout's own build/Release addon, which running tests and jobs load.
 *
 * Slow by nature (npm pack compiles the addon once, npm installs from its cache): one file,
 * sequential steps, each with a generous timeout.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { WORD_COUNT_TEXT } from '../../examples/word-count-text.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const CHECKOUT_ADDON = join(ROOT, 'build', 'Release', 'strom_native.node');

/**
 * The environment of a user's shell: without the npm_* variables of the `npm test` running this
 * file (a user's own NPM_CONFIG_* stay), node:test's child marker, or strom's own overrides
 * (STROM_ADDON_PATH would bypass the package's addon lookup).
 */
const USER_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_|NODE_TEST_CONTEXT$|STROM_)/.test(key)),
);

async function sh(command: string, args: string[], cwd: string, timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(command, args, { cwd, env: USER_ENV, timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed: ${e.message}\nstdout:\n${e.stdout}\nstderr:\n${e.stderr}`);
  }
}

/** inode and mtime: a rebuild (node-gyp deletes build/ first) changes both. */
function identity(path: string): string {
  if (!existsSync(path)) return 'missing';
  const stats = statSync(path);
  return `inode ${stats.ino}, mtime ${stats.mtimeMs}`;
}

/** The lines of a writeAsText sink's output (a file, or a directory of one file per subtask), sorted. */
function sinkLines(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((name) => join(path, name)) : [path];
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean)).sort();
}

/** The same small job in each module flavour: counts the words of --input, BATCH mode finals. */
const JOB_BODY = `(env, params) => {
  env
    .readTextFile(params.input)
    .flatMap((line, out) => { for (const word of line.split(' ')) if (word) out([word, 1]); })
    .returns(Types.TUPLE(Types.STRING, Types.DOUBLE))
    .keyBy(0)
    .sum(1)
    .writeAsText(params.output);
  return 'package test job';
}`;
const JOBS: Record<string, string> = {
  'job.cjs': `const { defineJob, Types } = require('strom');\nmodule.exports = defineJob(${JOB_BODY});\n`,
  'job.js': `const { defineJob, Types } = require('strom');\nmodule.exports = defineJob(${JOB_BODY});\n`,
  'job.mjs': `import { defineJob, Types } from 'strom';\nexport default defineJob(${JOB_BODY});\n`,
  'job.ts': `import { defineJob, Types } from 'strom';\nexport default defineJob(${JOB_BODY.replace('(line, out)', '(line: string, out: (w: [string, number]) => void)').replace('(env, params)', '(env, params: Record<string, string>)')});\n`,
};
const INPUT = 'the quick fox\nthe lazy dog\nthe fox\n';
const EXPECTED = ['(dog,1)', '(fox,2)', '(lazy,1)', '(quick,1)', '(the,3)'];

let temp: string;
let app: string;
let addonBefore: string;
let addonAfterPackAndInstall: string;

before(async () => {
  assert.ok(existsSync(CHECKOUT_ADDON), `this test needs the checkout's addon at ${CHECKOUT_ADDON} (npm ci builds it)`);
  addonBefore = identity(CHECKOUT_ADDON);
  temp = mkdtempSync(join(tmpdir(), 'strom-package-'));
  await sh('npm', ['pack', '--pack-destination', temp], ROOT, 600_000);
  const tarball = readdirSync(temp).find((name) => name.endsWith('.tgz'));
  assert.equal(tarball, `strom-${version}.tgz`);
  app = join(temp, 'app');
  mkdirSync(app);
  await sh('npm', ['init', '-y'], app);
  // What `npm init -y` writes today; set here so the project is CommonJS whatever npm's default.
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ ...manifest, type: 'commonjs' }, null, 2));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(temp, tarball!)], app, 300_000);
  writeFileSync(join(app, 'input.txt'), INPUT);
  for (const [name, source] of Object.entries(JOBS)) writeFileSync(join(app, name), source);
  addonAfterPackAndInstall = identity(CHECKOUT_ADDON);
});

after(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

test('the tarball holds the compiled sources, examples, prebuilt addon, native sources and the docs the README links, not tests, benchmarks or a build', () => {
  const installed = join(app, 'node_modules', 'strom');
  for (const path of ['dist/src/index.js', 'dist/src/cli/main.js', 'dist/examples/word-count.js', 'binding.gyp', 'native/sources.txt', 'README.md', 'LICENSE', 'docs/configuration.md']) {
    assert.ok(existsSync(join(installed, path)), `${path} is missing from the package`);
  }
  assert.ok(readdirSync(join(installed, 'prebuilds', `${process.platform}-${process.arch}`)).some((f) => f.endsWith('.node')));
  for (const path of ['dist/test', 'dist/bench', 'src', 'test', 'native/test']) {
    assert.ok(!existsSync(join(installed, path)), `${path} should not be in the package`);
  }
  // Installing compiled nothing: the package loads its prebuilt addon.
  assert.ok(!existsSync(join(installed, 'build')), 'installing the tarball built the addon from source instead of using the prebuild');
});

test('npx strom --version and -v print the version', async () => {
  assert.equal((await sh('npx', ['strom', '--version'], app)).stdout, `${version}\n`);
  assert.equal((await sh('npx', ['strom', '-v'], app)).stdout, `${version}\n`);
});

test('npx strom wordcount prints the top words of the embedded text', async () => {
  const counts = new Map<string, number>();
  for (const line of WORD_COUNT_TEXT) {
    for (const word of line.toLowerCase().split(/\W+/)) if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
  const { stdout } = await sh('npx', ['strom', 'wordcount', '--quiet'], app);
  const printed = [...stdout.matchAll(/^ {2}(\S+) +(\d+)$/gm)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(printed, top);
  assert.match(stdout, new RegExp(`${[...counts.values()].reduce((a, b) => a + b)} words, ${counts.size} distinct`));
});

for (const name of ['job.cjs', 'job.js', 'job.mjs']) {
  const flavour = name === 'job.mjs' ? "an ES module importing 'strom'" : "CommonJS requiring 'strom'";
  test(`npx strom run ${name} (${flavour}) runs the job on two task slots`, async () => {
    const output = join(app, `out-${name}`);
    await sh('npx', ['strom', 'run', name, '-p', '2', '-m', 'batch', '--quiet', '--', '--input', 'input.txt', '--output', output], app);
    assert.deepEqual(sinkLines(output), EXPECTED);
  });
}

test('npx strom run job.ts (TypeScript) in a CommonJS project', async () => {
  const output = join(app, 'out-job.ts');
  await sh('npx', ['strom', 'run', 'job.ts', '-p', '2', '-m', 'batch', '--quiet', '--', '--input', 'input.txt', '--output', output], app);
  assert.deepEqual(sinkLines(output), EXPECTED);
});

test("require('strom') and import 'strom' give the same module, with defineJob", async () => {
  assert.equal((await sh(process.execPath, ['-e', "process.stdout.write(typeof require('strom').defineJob)"], app)).stdout, 'function');
  const esm = "import { defineJob } from 'strom'; process.stdout.write(typeof defineJob);";
  assert.equal((await sh(process.execPath, ['--input-type=module', '-e', esm], app)).stdout, 'function');
  // One copy of strom per process: CommonJS and ESM consumers share its classes and state.
  const both = "import('strom').then((esm) => process.stdout.write(String(esm.defineJob === require('strom').defineJob)))";
  assert.equal((await sh(process.execPath, ['-e', both], app)).stdout, 'true');
});

test("require('strom/testing') gives the harnesses, sharing strom's classes: a keyed process function's timer fires in the installed package", async () => {
  const script = `
    const { KeyedProcessFunction, Types } = require('strom');
    const { ProcessFunctionTestHarnesses, StreamRecord } = require('strom/testing');
    class Remind extends KeyedProcessFunction {
      processElement(value, ctx) { ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 10); }
      onTimer(time, ctx, out) { out.collect(ctx.getCurrentKey() + '@' + time); }
    }
    const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new Remind(), (v) => v, Types.STRING);
    harness.processElement('a', 5);
    harness.processWatermark(20);
    const [first] = harness.getOutput();
    process.stdout.write(JSON.stringify([first instanceof StreamRecord, first.value, first.timestamp]));
  `;
  assert.equal((await sh(process.execPath, ['-e', script], app)).stdout, '[true,"a@15",15]');
  // Types resolve for TypeScript users too.
  assert.ok(existsSync(join(app, 'node_modules', 'strom', 'dist', 'src', 'testing', 'index.d.ts')));
});

test("npm pack (which compiles the prebuild) and installing the tarball left the checkout's build/Release addon untouched", () => {
  assert.equal(addonAfterPackAndInstall, addonBefore);
});

test('npm install of this checkout from another project does not rebuild its addon', async () => {
  const before = identity(CHECKOUT_ADDON);
  const other = join(temp, 'other');
  mkdirSync(other);
  await sh('npm', ['init', '-y'], other);
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ROOT], other, 300_000);
  assert.equal((await sh('npx', ['strom', '--version'], other)).stdout, `${version}\n`);
  assert.equal(identity(CHECKOUT_ADDON), before);
});
