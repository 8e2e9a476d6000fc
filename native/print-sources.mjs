// Prints native/sources.txt as one space-separated line, for binding.gyp's <!@(...) expansion.
// node-gyp runs it from the package root; CMakeLists.txt reads the same file directly.
import { readFileSync } from 'node:fs';

const list = readFileSync(new URL('./sources.txt', import.meta.url), 'utf8');
const sources = list
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
process.stdout.write(sources.join(' ') + '\n');
