import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ALL_CONFIG_OPTIONS } from '../../src/config/config-options.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/word-count.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strom-config-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in a child process with only the given STROM_* variables in its environment. */
async function strom(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STROM_')));
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000, env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The rows of the aligned table as key -> [value, origin]. */
function table(stdout: string): Map<string, [string, string]> {
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^KEY +VALUE +ORIGIN$/);
  return new Map(lines.slice(1).map((l) => {
    const [key, value, ...origin] = l.split(/ {2,}/);
    return [key!, [value!, origin.join('  ')]];
  }));
}

test('strom config prints every key with its value and origin, aligned', async () => {
  const yaml = write('strom.yaml', 'taskmanager:\n  numberOfTaskSlots: 4\n  memory:\n    segment-size: 64 kb\nparallelism.default: 2\n');
  const { code, stdout, stderr } = await strom(
    { STROM_PROPERTIES: 'execution.buffer-timeout: 1 s\nparallelism.default: 3' },
    'config', '--config', yaml, '-D', 'execution.runtime-mode=batch', '-p', '5',
  );
  assert.equal(code, 0, stderr);
  const rows = table(stdout);
  assert.equal(rows.size, ALL_CONFIG_OPTIONS.length);
  assert.deepEqual(rows.get('taskmanager.numberOfTaskSlots'), ['4', `${yaml}:2`]);
  assert.deepEqual(rows.get('taskmanager.memory.segment-size'), ['64kb', `${yaml}:4`]);
  assert.deepEqual(rows.get('execution.buffer-timeout'), ['1s', 'STROM_PROPERTIES:1']);
  assert.deepEqual(rows.get('execution.runtime-mode'), ['BATCH', '-D']);
  assert.deepEqual(rows.get('parallelism.default'), ['5', '--parallelism']);
  assert.deepEqual(rows.get('pipeline.operator-chaining'), ['true', 'default']);
  assert.deepEqual(rows.get('taskmanager.memory.process.size'), ['(none)', 'default']);
  // aligned: the value column starts at the same offset on every line
  const offsets = new Set(stdout.trimEnd().split('\n').map((l) => l.search(/ {2}\S/)));
  assert.equal(offsets.size, 1);
});

test('strom config --json prints value and origin per key', async () => {
  const json = write('strom.json', '{ "taskmanager": { "memory": { "managed": { "size": "1g" } } } }');
  const { code, stdout } = await strom({}, 'config', '-c', json, '--json', '-D', 'pipeline.max-parallelism=256');
  assert.equal(code, 0);
  const parsed = JSON.parse(stdout) as Record<string, { value: string | null; origin: string }>;
  assert.deepEqual(Object.keys(parsed).sort(), ALL_CONFIG_OPTIONS.map((o) => o.key).sort());
  assert.deepEqual(parsed['taskmanager.memory.managed.size'], { value: '1gb', origin: `${json}:1` });
  assert.deepEqual(parsed['pipeline.max-parallelism'], { value: '256', origin: '-D' });
  assert.deepEqual(parsed['taskmanager.memory.process.size'], { value: null, origin: 'default' });
});

test('strom config reads $STROM_CONF_DIR/strom.yaml', async () => {
  const confDir = mkdtempSync(join(dir, 'conf-'));
  writeFileSync(join(confDir, 'strom.yaml'), 'execution.runtime-mode: batch\n');
  const { code, stdout } = await strom({ STROM_CONF_DIR: confDir }, 'config');
  assert.equal(code, 0);
  assert.deepEqual(table(stdout).get('execution.runtime-mode'), ['BATCH', `${join(confDir, 'strom.yaml')}:1`]);
});

test('a bad key in a config file exits 2 with one line naming file, line and the nearest key', async () => {
  const yaml = write('bad.yaml', 'parallelism.default: 2\ntaskmanager.numberOfTaskSlot: 4\n');
  for (const command of [['config'], ['explain', EXAMPLE], ['wordcount']]) {
    const { code, stdout, stderr } = await strom({}, ...command, '--config', yaml);
    assert.equal(code, 2, command.join(' '));
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `strom: Unknown configuration key 'taskmanager.numberOfTaskSlot' (from ${yaml}:2): did you mean 'taskmanager.numberOfTaskSlots'?\n`,
    );
  }
});

test('config errors from every source exit 2 with a one-line cause', async () => {
  const cases: Array<[Record<string, string>, string[], RegExp]> = [
    [{ STROM_PROPERTIES: 'parallelism.defualt: 2' }, ['config'], /\(from STROM_PROPERTIES:1\): did you mean 'parallelism\.default'\?/],
    [{}, ['config', '-D', 'taskmanager.memory.segment-size=3kb'], /Invalid value "3kb" for configuration key 'taskmanager\.memory\.segment-size': expected a power of two.*\(from -D\)/],
    [{}, ['config', '-p', '0'], /Invalid value "0" for configuration key 'parallelism\.default'.*\(from --parallelism\)/],
    [{}, ['config', '--config', join(dir, 'missing.yaml')], /Cannot read configuration from .*missing\.yaml: no such file/],
    [{}, ['config', '--config', write('mal.yaml', 'a: [\n')], /mal\.yaml: malformed YAML at line 2/],
    [{}, ['config', '--config', write('mal.json', '{"a": 1,}')], /mal\.json: malformed JSON/],
    [{}, ['config', '-D', 'novalue'], /-D: expected key=value/],
    [{}, ['config', '-D', 'taskmanager.memory.network.min=128mb', '-D', 'taskmanager.memory.network.max=64mb'], /\(128mb\) and 'taskmanager\.memory\.network\.max' \(64mb\) differ/],
    [{}, ['config', '-D', 'taskmanager.memory.network.max=2gb'], /'taskmanager\.memory\.network\.max'.*network memory of 2gb .*Allowed: 32kb \(one segment\) to /],
  ];
  for (const [env, args, pattern] of cases) {
    const { code, stderr } = await strom(env, ...args);
    assert.equal(code, 2, args.join(' '));
    assert.match(stderr, pattern);
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  }
});

test('strom explain and run take --config and STROM_PROPERTIES', async () => {
  const yaml = write('p2.yaml', 'parallelism:\n  default: 2\n');
  const { code, stdout } = await strom({ STROM_PROPERTIES: 'pipeline.operator-chaining: false' }, 'explain', EXAMPLE, '--config', yaml);
  assert.equal(code, 0);
  assert.match(stdout, /key groups 64-127/); // parallelism 2 from the file
  const dirOut = join(dir, 'out');
  const ran = await strom({}, 'run', EXAMPLE, '--config', yaml, '-D', 'execution.runtime-mode=batch', '--', '--output', dirOut);
  assert.equal(ran.code, 0, ran.stderr);
});
