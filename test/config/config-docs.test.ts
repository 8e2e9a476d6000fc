import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { describeOptionDefault, renderConfigurationDocs } from '../../src/config/config-docs.js';
import { ALL_CONFIG_OPTIONS, NUMBER_OF_TASK_SLOTS, TOTAL_PROCESS_MEMORY } from '../../src/config/config-options.js';

// dist/test/config -> the repository root
const DOCS = new URL('../../../docs/configuration.md', import.meta.url);

test('docs/configuration.md is what the option declarations generate (run npm run docs:config)', () => {
  assert.equal(readFileSync(DOCS, 'utf8'), renderConfigurationDocs());
});

test('the generated table has one row per option with type and default', () => {
  const text = renderConfigurationDocs();
  for (const option of ALL_CONFIG_OPTIONS) {
    const row = text.split('\n').find((line) => line.startsWith(`| \`${option.key}\` |`));
    assert.ok(row, `no row for ${option.key}`);
    assert.ok(row.includes(` ${option.values ? 'enum' : option.type}`), row);
  }
  assert.match(text, /\| `execution\.runtime-mode` \| enum \(STREAMING, BATCH\) \| `STREAMING` \|/);
  assert.match(text, /\| `taskmanager\.memory\.segment-size` \| memory \| `32kb` \|/);
});

test('machine-dependent and missing defaults are documented in words', () => {
  assert.equal(describeOptionDefault(NUMBER_OF_TASK_SLOTS), 'sized to the job');
  assert.equal(describeOptionDefault(TOTAL_PROCESS_MEMORY), '(none)');
});
