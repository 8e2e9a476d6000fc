/**
 * The benchmark runner's options, as a user types them: `--help` prints the options, a bad
 * option or value ends with one line naming it and the usage (exit code 2, no stack trace),
 * and `--list` lists the suites without running anything. Real child processes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const RUNNER = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('--help prints the options and exits 0', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^usage: npm run bench/);
  assert.match(r.stdout, /--filter <text>/);
});

test('an unknown option names itself, shows the usage and exits 2 without a stack trace', () => {
  const r = run('--bogus');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bench: Unknown option '--bogus'/);
  assert.match(r.stderr, /usage: npm run bench/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a bad --repeats value is named, exit 2', () => {
  const r = run('--repeats', '0');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--repeats must be a positive integer, got 0/);
});

test('--list lists suites and runs nothing', () => {
  const r = run('--list');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /channel small records/);
  assert.doesNotMatch(r.stdout, /strom benchmarks:/);
});
