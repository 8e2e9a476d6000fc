import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfigText, readConfigFile } from '../../src/config/config-file.js';
import { loadConfiguration, parseDynamicProperty, type LoadConfigurationOptions } from '../../src/config/config-loader.js';
import { Configuration } from '../../src/config/configuration.js';
import {
  BUFFER_TIMEOUT,
  DEFAULT_PARALLELISM,
  MEMORY_SEGMENT_SIZE,
  NETWORK_MEMORY_FRACTION,
  NUMBER_OF_TASK_SLOTS,
  OPERATOR_CHAINING,
  RUNTIME_MODE,
  TOTAL_PROCESS_MEMORY,
} from '../../src/config/config-options.js';
import { ConfigSourceError, ConfigurationError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'strom-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `text` to a file named `name` in a fresh directory and returns its path. */
function file(name: string, text: string): string {
  const sub = join(dir, String(fileCount++));
  mkdirSync(sub);
  const path = join(sub, name);
  writeFileSync(path, text);
  return path;
}

/** loadConfiguration with no environment unless one is given. */
const load = (options: LoadConfigurationOptions = {}): Configuration => loadConfiguration({ env: {}, ...options });

function assertThrows(fn: () => unknown, type: typeof ConfigurationError | typeof ConfigSourceError, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    for (const f of fragments) assert.ok((e as Error).message.includes(f), `message ${JSON.stringify((e as Error).message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

describe('loadConfiguration precedence', () => {
  const yaml = file('strom.yaml', 'parallelism.default: 2\ntaskmanager.memory.segment-size: 8kb\nexecution.buffer-timeout: 5ms\nexecution.runtime-mode: batch\n');
  const env = { STROM_PROPERTIES: 'parallelism.default: 3\ntaskmanager.memory.segment-size: 16kb\nexecution.buffer-timeout: 7ms' };

  it('uses the defaults when no source sets a key', () => {
    const c = load();
    assert.equal(c.get(DEFAULT_PARALLELISM), 1);
    assert.equal(c.origin(DEFAULT_PARALLELISM), 'default');
    assert.deepEqual([...c.keys()], []);
  });

  it('file < STROM_PROPERTIES < -D < code for the same key, each value remembering its source', () => {
    const c = load({
      file: yaml,
      env,
      dynamic: ['parallelism.default=4', 'taskmanager.memory.segment-size = 32kb'],
      code: { 'parallelism.default': 5 },
    });
    assert.equal(c.get(DEFAULT_PARALLELISM), 5);
    assert.equal(c.origin(DEFAULT_PARALLELISM), 'code');
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 32 * 1024);
    assert.equal(c.origin(MEMORY_SEGMENT_SIZE), '-D');
    assert.equal(c.get(BUFFER_TIMEOUT), 7);
    assert.equal(c.origin(BUFFER_TIMEOUT), 'STROM_PROPERTIES:3');
    assert.equal(c.get(RUNTIME_MODE), 'BATCH');
    assert.equal(c.origin(RUNTIME_MODE), `${yaml}:4`);
    assert.equal(c.origin(OPERATOR_CHAINING), 'default');
  });

  it('each layer alone beats the ones below it', () => {
    assert.equal(load({ file: yaml }).get(DEFAULT_PARALLELISM), 2);
    assert.equal(load({ file: yaml, env }).get(DEFAULT_PARALLELISM), 3);
    assert.equal(load({ file: yaml, env, dynamic: ['parallelism.default=4'] }).get(DEFAULT_PARALLELISM), 4);
  });

  it('later dynamic entries win, and entries may carry their own origin (--parallelism)', () => {
    const c = load({ dynamic: ['parallelism.default=4', { key: 'parallelism.default', value: '6', origin: '--parallelism' }] });
    assert.equal(c.get(DEFAULT_PARALLELISM), 6);
    assert.equal(c.origin(DEFAULT_PARALLELISM), '--parallelism');
  });

  it('takes a Configuration as the code layer, keeping its origins', () => {
    const code = new Configuration().set(DEFAULT_PARALLELISM, 7).set(RUNTIME_MODE, 'batch', 'my app');
    const c = load({ file: yaml, code });
    assert.equal(c.get(DEFAULT_PARALLELISM), 7);
    assert.equal(c.origin(DEFAULT_PARALLELISM), 'code');
    assert.equal(c.origin(RUNTIME_MODE), 'my app');
    assert.equal(c.origin(MEMORY_SEGMENT_SIZE), `${yaml}:2`);
  });

  it('reads the environment from process.env by default', () => {
    const saved = process.env.STROM_PROPERTIES;
    process.env.STROM_PROPERTIES = 'parallelism.default: 9';
    try {
      assert.equal(loadConfiguration().get(DEFAULT_PARALLELISM), 9);
      assert.equal(loadConfiguration({ env: {} }).get(DEFAULT_PARALLELISM), 1);
    } finally {
      if (saved === undefined) delete process.env.STROM_PROPERTIES;
      else process.env.STROM_PROPERTIES = saved;
    }
  });

  it('reads strom.yaml from STROM_CONF_DIR when no file is given; --config wins over it', () => {
    const confDir = join(dir, 'conf');
    mkdirSync(confDir, { recursive: true });
    writeFileSync(join(confDir, 'strom.yaml'), 'taskmanager:\n  numberOfTaskSlots: 3\n');
    const c = load({ env: { STROM_CONF_DIR: confDir } });
    assert.equal(c.get(NUMBER_OF_TASK_SLOTS), 3);
    assert.equal(c.origin(NUMBER_OF_TASK_SLOTS), `${join(confDir, 'strom.yaml')}:2`);
    assert.equal(load({ env: { STROM_CONF_DIR: confDir }, file: yaml }).contains(NUMBER_OF_TASK_SLOTS), false);
  });

  it('fails when STROM_CONF_DIR holds no config file', () => {
    assertThrows(() => load({ env: { STROM_CONF_DIR: join(dir, 'empty-conf-dir') } }), ConfigSourceError, 'STROM_CONF_DIR=', 'strom.yaml, strom.yml, strom.json');
  });
});

describe('config files', () => {
  it('reads flat Flink keys and nested Flink 2 maps, mixed, to the same values', () => {
    const flat = load({ file: file('strom.yaml', 'taskmanager.numberOfTaskSlots: 4\ntaskmanager.memory.segment-size: 16 mb\n') });
    const nested = load({ file: file('strom.yml', 'taskmanager:\n  numberOfTaskSlots: 4\n  memory:\n    segment-size: 16 mb\n') });
    const mixed = load({ file: file('strom.yaml', 'taskmanager:\n  numberOfTaskSlots: 4\n  memory.segment-size: 16 mb\n') });
    for (const c of [flat, nested, mixed]) {
      assert.equal(c.get(NUMBER_OF_TASK_SLOTS), 4);
      assert.equal(c.get(MEMORY_SEGMENT_SIZE), 16 * 2 ** 20);
    }
    assert.match(nested.origin(MEMORY_SEGMENT_SIZE), /strom\.yml:4$/);
  });

  it('reads JSON, flat and nested, with line numbers', () => {
    const path = file('strom.json', '{\n  "parallelism.default": 3,\n  "execution": { "buffer-timeout": "1 s", "runtime-mode": "batch" }\n}\n');
    const c = load({ file: path });
    assert.equal(c.get(DEFAULT_PARALLELISM), 3);
    assert.equal(c.get(BUFFER_TIMEOUT), 1000);
    assert.equal(c.get(RUNTIME_MODE), 'BATCH');
    assert.equal(c.origin(BUFFER_TIMEOUT), `${path}:3`);
  });

  it('an empty file or comments only set nothing', () => {
    assert.deepEqual([...load({ file: file('strom.yaml', '') }).keys()], []);
    assert.deepEqual([...load({ file: file('strom.yaml', '# nothing\n') }).keys()], []);
  });

  it('reads a file directly into entries', () => {
    const path = file('strom.yaml', 'a:\n  b: 1\nc: x\n');
    assert.deepEqual(readConfigFile(path), [
      { key: 'a.b', value: 1, origin: `${path}:2` },
      { key: 'c', value: 'x', origin: `${path}:3` },
    ]);
  });
});

describe('value formats through every source', () => {
  // [key, text, expected parsed value]
  const cases: Array<[string, string, unknown]> = [
    ['taskmanager.memory.segment-size', '32kb', 32 * 1024],
    ['taskmanager.memory.segment-size', '16 mb', 16 * 2 ** 20],
    ['taskmanager.memory.process.size', '1g', 2 ** 30],
    ['taskmanager.memory.managed.size', '4096', 4096],
    ['execution.buffer-timeout', '100 ms', 100],
    ['execution.buffer-timeout', '1 s', 1000],
    ['execution.buffer-timeout', '1min', 60_000],
    ['execution.buffer-timeout', '-1', -1],
    ['execution.runtime-mode', 'batch', 'BATCH'],
    ['execution.runtime-mode', 'Streaming', 'STREAMING'],
    ['pipeline.operator-chaining', 'false', false],
    ['parallelism.default', '8', 8],
    ['taskmanager.memory.network.fraction', '0.25', 0.25],
  ];
  const options = { 'taskmanager.memory.segment-size': MEMORY_SEGMENT_SIZE, 'taskmanager.memory.process.size': TOTAL_PROCESS_MEMORY, 'execution.buffer-timeout': BUFFER_TIMEOUT, 'execution.runtime-mode': RUNTIME_MODE, 'pipeline.operator-chaining': OPERATOR_CHAINING, 'parallelism.default': DEFAULT_PARALLELISM, 'taskmanager.memory.network.fraction': NETWORK_MEMORY_FRACTION } as Record<string, Parameters<Configuration['get']>[0]>;
  const get = (c: Configuration, key: string): unknown => (options[key] ? c.get(options[key]!) : c.toObject()[key]);

  for (const [key, text, expected] of cases) {
    it(`${key}: ${JSON.stringify(text)}`, () => {
      const sources: Array<[string, LoadConfigurationOptions]> = [
        ['yaml', { file: file('strom.yaml', `${key}: ${text}\n`) }],
        ['json', { file: file('strom.json', JSON.stringify({ [key]: text })) }],
        ['STROM_PROPERTIES', { env: { STROM_PROPERTIES: `${key}: ${text}` } }],
        ['-D', { dynamic: [`${key}=${text}`] }],
        ['code', { code: { [key]: text } }],
      ];
      for (const [name, source] of sources) {
        const c = load(source);
        if (key === 'taskmanager.memory.managed.size') assert.equal(c.toObject()[key], '4kb', name);
        else assert.equal(get(c, key), expected, name);
      }
    });
  }
});

describe('errors name the key, the nearest key or accepted values, and the source', () => {
  it('an unknown key from a file names the file and line and the nearest key', () => {
    const path = file('strom.yaml', 'parallelism.default: 2\ntaskmanager:\n  numberOfTaskSlot: 4\n');
    assertThrows(() => load({ file: path }), ConfigurationError, "Unknown configuration key 'taskmanager.numberOfTaskSlot'", `(from ${path}:3)`, "did you mean 'taskmanager.numberOfTaskSlots'?");
  });

  it('an unknown key from JSON names the file and line', () => {
    const path = file('strom.json', '{\n  "pipeline.operator-chainng": true\n}');
    assertThrows(() => load({ file: path }), ConfigurationError, `(from ${path}:2)`, "did you mean 'pipeline.operator-chaining'?");
  });

  it('an unknown key from STROM_PROPERTIES names the variable', () => {
    assertThrows(() => load({ env: { STROM_PROPERTIES: 'execution.buffer-timeot: 1 s' } }), ConfigurationError, '(from STROM_PROPERTIES:1)', "did you mean 'execution.buffer-timeout'?");
  });

  it('an unknown key from -D names -D', () => {
    assertThrows(() => load({ dynamic: ['parallelism.defualt=2'] }), ConfigurationError, "'parallelism.defualt' (from -D): did you mean 'parallelism.default'?");
  });

  it('an unknown key from code names code', () => {
    assertThrows(() => load({ code: { 'taskmanager.memory.segmentsize': '32kb' } }), ConfigurationError, '(from code)', "did you mean 'taskmanager.memory.segment-size'?");
  });

  it('an unknown key with nothing near says so without a suggestion', () => {
    assertThrows(() => load({ dynamic: ['foo=1'] }), ConfigurationError, "Unknown configuration key 'foo' (from -D).");
  });

  it('a bad value names key, value, what is accepted and the source', () => {
    const path = file('strom.yaml', 'taskmanager.memory.segment-size: 3kb\n');
    assertThrows(() => load({ file: path }), ConfigurationError, '"3kb"', "'taskmanager.memory.segment-size'", 'expected a power of two between 64b and 16mb', `(from ${path}:1)`);
    assertThrows(() => load({ env: { STROM_PROPERTIES: 'execution.runtime-mode: fast' } }), ConfigurationError, '"fast"', "'execution.runtime-mode'", "expected 'STREAMING' or 'BATCH'", '(from STROM_PROPERTIES:1)');
    assertThrows(() => load({ dynamic: ['execution.buffer-timeout=1 fortnight'] }), ConfigurationError, '"1 fortnight"', "'execution.buffer-timeout'", 'expected a duration', '(from -D)');
    assertThrows(() => load({ code: { 'parallelism.default': 0 } }), ConfigurationError, "Invalid value 0 for configuration key 'parallelism.default'", 'expected an integer from 1 to 32768', '(from code)');
    assertThrows(() => load({ file: file('strom.yaml', 'pipeline.operator-chaining: yes\n') }), ConfigurationError, '"yes"', 'expected true or false');
  });

  it('malformed YAML names the file, the line and the parse error', () => {
    const path = file('strom.yaml', 'parallelism.default: 2\ntaskmanager: [\n  numberOfTaskSlots: 4\n');
    assertThrows(() => load({ file: path }), ConfigSourceError, `Cannot read configuration from ${path}: malformed YAML at line`);
    assertThrows(() => load({ file: file('strom.yaml', 'a: 1\na: 2\n') }), ConfigSourceError, 'malformed YAML at line 2: Map keys must be unique');
  });

  it('a file that is not a map of keys is rejected', () => {
    assertThrows(() => load({ file: file('strom.yaml', '- a\n- b\n') }), ConfigSourceError, 'expected a map of configuration keys to values');
  });

  it('malformed JSON names the file, the position and the parse error', () => {
    const path = file('strom.json', '{\n  "parallelism.default": 2,\n}\n');
    assertThrows(() => load({ file: path }), ConfigSourceError, `Cannot read configuration from ${path}: malformed JSON:`, 'line 3');
  });

  it('a missing file is named', () => {
    const path = join(dir, 'missing', 'strom.yaml');
    assertThrows(() => load({ file: path }), ConfigSourceError, `Cannot read configuration from ${path}: no such file`);
  });

  it('malformed STROM_PROPERTIES names the variable', () => {
    assertThrows(() => load({ env: { STROM_PROPERTIES: 'parallelism.default: [2' } }), ConfigSourceError, 'Cannot read configuration from STROM_PROPERTIES: malformed YAML');
  });

  it('-D without = is rejected', () => {
    assertThrows(() => load({ dynamic: ['parallelism.default'] }), ConfigSourceError, "-D: expected key=value, got 'parallelism.default'");
    assertThrows(() => parseDynamicProperty('=2'), ConfigSourceError, 'expected key=value');
  });

  it('the errors carry stable codes', () => {
    assert.throws(() => load({ dynamic: ['x'] }), { code: 'ERR_CONFIG_SOURCE', source: '-D' });
    assert.throws(() => load({ dynamic: ['parallelism.default=x'] }), { code: 'ERR_INVALID_CONFIG', key: 'parallelism.default' });
  });
});

describe('parseConfigText', () => {
  it('reads STROM_PROPERTIES-style lines, skipping comments and blank lines', () => {
    assert.deepEqual(parseConfigText('# tuned\n\nparallelism.default: 2\nexecution.buffer-timeout: 1 s\n', 'STROM_PROPERTIES', 'yaml'), [
      { key: 'parallelism.default', value: 2, origin: 'STROM_PROPERTIES:3' },
      { key: 'execution.buffer-timeout', value: '1 s', origin: 'STROM_PROPERTIES:4' },
    ]);
  });
});
