#!/usr/bin/env node
// Writes docs/configuration.md from the option declarations (compiled to dist/ by `npm run build:ts`).
// `--check` only compares, exiting 1 when the committed file is stale. test/config/config-docs.test.ts
// makes the same comparison, so docs and code cannot drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigurationDocs } from '../dist/src/config/config-docs.js';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const text = renderConfigurationDocs();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('docs/configuration.md is out of date: run npm run docs:config');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
