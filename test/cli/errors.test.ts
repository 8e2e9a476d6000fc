/**
 * The CLI's exit codes and error reports, through real child processes: 0 ok, 1 the job failed,
 * 2 usage or configuration (the job never started); one line per error, stack traces only with
 * --verbose or STROM_DEBUG=1. Also slots sized to the job, heap limits of the task slots and the
 * checks of --metrics-port / --metrics-json before a job starts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/word-count.js', import.meta.url));
const FAILING = fileURLToPath(new URL('../fixtures/jobs/failing-map.js', import.meta.url));
const READ_INPUT = fileURLToPath(new URL('../fixtures/jobs/read-input.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strom-cli-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'in.txt');
writeFileSync(input, 'to be or not to be\n');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  signal: string | null;
}

/** Runs the CLI in a child process, without STROM_* variables unless given. */
async function strom(env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STROM_')));
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000, env: { ...base, ...env } });
    return { code: 0, stdout, stderr, signal: null };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string; signal: string | null };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, signal: e.signal };
  }
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

test('strom wordcount -p 3 runs on a default configuration: the TaskManager gets the slots the job needs', async () => {
  const ok = await strom({}, 'wordcount', '-p', '3', '-q');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /287 words, 170 distinct, .*\(parallelism 3, 3 task slots\)/);
  const explained = await strom({}, 'explain', EXAMPLE, '-p', '3');
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /Slots: 3 required, 3 available \(taskmanager\.numberOfTaskSlots not set: sized to the job\)/);
  const config = await strom({}, 'config');
  assert.equal(config.code, 0, config.stderr);
  assert.match(config.stdout, /^taskmanager\.numberOfTaskSlots +\(sized to the job\) +default$/m);
  // A value the user set is a limit, and fails clearly, as a configuration error.
  const limited = await strom({}, 'wordcount', '-p', '3', '-q', '-D', 'taskmanager.numberOfTaskSlots=2');
  assert.equal(limited.code, 2);
  assert.equal(limited.stdout, '');
  assert.equal(lines(limited.stderr).length, 1, limited.stderr);
  assert.match(limited.stderr, /requires 3 slot\(s\), but only 2 available \('taskmanager\.numberOfTaskSlots' = 2\)/);
});

test('a task that runs out of heap fails its job with exit 1 and one line naming the task and the key; the process lives', async () => {
  const { code, signal, stdout, stderr } = await strom(
    {},
    'run', FAILING, '-q', '-p', '2', '-D', 'taskmanager.memory.task.heap.size=64mb', '--', '--failure', 'oom',
  );
  assert.equal(signal, null);
  assert.equal(code, 1, stderr);
  assert.equal(stdout, '');
  assert.doesNotMatch(stderr, /FATAL ERROR/);
  assert.equal(lines(stderr).length, 1, stderr);
  assert.match(stderr, /^strom: Job 'failing-oom' failed: task .*Exploder.*\(2\/2\) ran out of JavaScript heap/);
  assert.match(stderr, /heap limit of 64mb/);
  assert.match(stderr, /raise 'taskmanager\.memory\.task\.heap\.size' \(now 64mb per slot\), e\.g\. -D taskmanager\.memory\.task\.heap\.size=128mb/);
});

test('network memory beyond what strom can allocate, or too small for the job, is a configuration error: exit 2, key, value, range', async () => {
  for (const value of ['2gb', '10tb']) {
    const { code, stdout, stderr } = await strom({}, 'wordcount', '-q', '-D', `taskmanager.memory.network.max=${value}`);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.equal(lines(stderr).length, 1, stderr);
    assert.match(stderr, new RegExp(`'taskmanager\\.memory\\.network\\.max'.*network memory of ${value} .*Allowed: 32kb \\(one segment\\) to 2046mb`));
    assert.doesNotMatch(stderr, /int32 offsets hold|numSegments/);
  }
  const small = await strom({}, 'wordcount', '-q', '-p', '2', '-D', 'taskmanager.memory.network.min=64kb');
  assert.equal(small.code, 2, small.stderr);
  assert.match(small.stderr, /^strom: Insufficient number of network buffers: required \d+, but only 2 available/);
  assert.equal(lines(small.stderr).length, 1);
});

test('--metrics-port and --metrics-json are checked before the job starts, on every command that takes them', async () => {
  const out = join(dir, 'never-written');
  const cases: Array<[string[], RegExp]> = [
    [['wordcount', '--metrics-port', 'abc'], /--metrics-port expects a port number from 0 to 65535.*got 'abc'/],
    [['wordcount', '--metrics-port', '80000'], /got '80000'/],
    [['wordcount', input, '-o', out, '--metrics-port', '80000'], /got '80000'/],
    [['run', EXAMPLE, '--metrics-port=-1'], /got '-1'/],
    [['run', EXAMPLE, '--metrics-port', '-1'], /Option '--metrics-port' argument is ambiguous/],
    [['wordcount', '--metrics-json', join(dir, 'no-such-dir', 'm.json')], /--metrics-json .*the directory .*no-such-dir does not exist/],
    [['wordcount', input, '-o', out, '--metrics-json', join(dir, 'no-such-dir', 'm.json')], /the directory .*no-such-dir does not exist/],
    [['run', EXAMPLE, '--metrics-json', dir], /is a directory; give a file path/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stdout, stderr } = await strom({}, ...args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '', 'the job did not run');
    assert.equal(lines(stderr).length, 1, stderr);
    assert.match(stderr, pattern);
  }
  assert.equal(existsSync(out), false, 'the job did not run');
  // Without -o, wordcount serves the port it was given.
  const served = await strom({}, 'wordcount', '-q', '--metrics-port', '0');
  assert.equal(served.code, 0, served.stderr);
  assert.match(served.stderr, /Prometheus metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
});

test('an option the command does not take is refused, naming the commands that take it', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['explain', EXAMPLE, '--metrics-port', 'abc'], /^strom: strom explain does not take --metrics-port \(it applies to: strom run, strom wordcount\)$/m],
    [['config', '--metrics-port', '80000'], /^strom: strom config does not take --metrics-port/],
    [['config', '--metrics-json', join(dir, 'no-such-dir', 'm.json')], /^strom: strom config does not take --metrics-json/],
    [['run', EXAMPLE, '-o', join(dir, 'x')], /^strom: strom run does not take --output \(it applies to: strom wordcount\)$/m],
  ];
  for (const [args, pattern] of cases) {
    const { code, stdout, stderr } = await strom({}, ...args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.equal(lines(stderr).length, 1, stderr);
    assert.match(stderr, pattern);
  }
});

test('a missing job module, input or job parameter is a usage error: exit 2 and one line saying what is missing', async () => {
  const module = await strom({}, 'run', join(dir, 'nonexist.ts'));
  assert.equal(module.code, 2);
  assert.equal(lines(module.stderr).length, 1, module.stderr);
  assert.match(module.stderr, /^strom: job module '.*nonexist\.ts' not found/);
  const wordcountInput = await strom({}, 'wordcount', join(dir, 'nope.txt'));
  assert.equal(wordcountInput.code, 2);
  assert.match(wordcountInput.stderr, /^strom: input file '.*nope\.txt' not found/);
  assert.equal(lines(wordcountInput.stderr).length, 1);
  const param = await strom({}, 'explain', READ_INPUT);
  assert.equal(param.code, 2);
  assert.equal(lines(param.stderr).length, 1, param.stderr);
  assert.match(param.stderr, /^strom: readTextFile\(\) needs a file path, got undefined\. .*strom run job\.ts -- --input <path>/);
  const output = await strom({}, 'run', READ_INPUT, '-q', '--', '--input', input);
  assert.equal(output.code, 2);
  assert.match(output.stderr, /^strom: writeAsText\(\) needs a file path, got undefined\. .*-- --output <path>/);
});

test('user errors print one line with the cause and the fix; the stack only with --verbose or STROM_DEBUG=1', async () => {
  const exists = join(dir, 'exists');
  writeFileSync(exists, 'x');
  const plain = await strom({}, 'wordcount', input, '-o', exists, '-q');
  assert.equal(plain.code, 1);
  assert.equal(lines(plain.stderr).length, 1, plain.stderr);
  assert.match(plain.stderr, /Cannot write the text file sink '.*exists': it already exists\..*delete it or choose another path/);
  const missing = await strom({}, 'run', READ_INPUT, '-q', '--', '--input', join(dir, 'missing.txt'), '--output', join(dir, 'out'));
  assert.equal(missing.code, 1);
  assert.equal(lines(missing.stderr).length, 1, missing.stderr);
  assert.match(missing.stderr, /Cannot read the text file source '.*missing\.txt': no such file or directory.*Check the path/);
  for (const [env, flags] of [[{}, ['--verbose']], [{ STROM_DEBUG: '1' }, []]] as const) {
    const verbose = await strom(env, 'wordcount', input, '-o', exists, '-q', ...flags);
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, /^SinkError: Cannot write/m); // refused before the start: its own stack
    assert.match(verbose.stderr, /^ {4}at /m);
  }
  // A user function that threw: the message, and where to find the stack.
  const thrown = await strom({}, 'run', FAILING, '-q');
  assert.equal(thrown.code, 1);
  assert.deepEqual(lines(thrown.stderr).slice(1), ['strom: run with --verbose (or STROM_DEBUG=1) for the stack trace']);
  assert.match(thrown.stderr, /^strom: Job 'failing-throw' failed: operator 'Exploder' .*threw: Error: boom at 777$/m);
});

test('the help lists the exit codes', async () => {
  const { code, stdout } = await strom({}, 'help');
  assert.equal(code, 0);
  assert.match(stdout, /Exit codes:\n {2}0 {2}success\n {2}1 {2}the job failed[^]*?\n {2}2 {2}bad usage or configuration/);
});
