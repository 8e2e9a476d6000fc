/**
 * A seeded, Zipf-distributed English-like text file for the WordCount benchmarks, generated
 * once and cached in the OS temp dir under a name keyed by size, vocabulary and seed (so every
 * benchmark of a run, and later runs, read the very same bytes).
 *
 * The text: a vocabulary of `vocabulary` distinct words built from syllables (frequent ranks
 * short, rare ranks longer: 1..3 letters for the 60 commonest, then 1..4 syllables; about 5
 * letters per word on average, weighted by frequency, as in English), drawn with Zipf(1)
 * ranks; sentences of 4..20 words, the first word capitalized, ~3% of words Capitalized and
 * ~0.5% UPPERCASE elsewhere, commas, semicolons, quotes, apostrophes (`word's`), parentheses,
 * hyphens, a few numbers; sentences end with `.`, `!` or `?`; lines are wrapped at a word
 * boundary once they hold 60..100 characters. ASCII only, `\n` line ends, the file is exactly
 * `bytes` long (the last line is cut, ending with `\n`).
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { seededRandom, zipfRanks } from './zipf.js';

export interface ZipfTextSpec {
  bytes: number;
  vocabulary: number;
  seed: number;
}

const ONSETS = ['', 'b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'th', 'st', 'ch', 'sh', 'tr', 'br', 'pl', 'gr', 'cl'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ea', 'ou', 'ai', 'io', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'nd', 'st', 'ng', 'rk', 'x', 'm'];

/** `vocabulary` distinct lower-case words; index = Zipf rank (0 = most frequent, shortest). */
export function makeVocabulary(vocabulary: number, seed: number): string[] {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const pick = (xs: string[]) => xs[Math.floor(random() * xs.length)]!;
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < vocabulary) {
    const r = words.length;
    let w = '';
    if (r < 60) {
      // The commonest words are short (the, of, and, a, to, in...): 1..3 letters.
      w = random() < 0.5 ? pick(ONSETS) + pick(NUCLEI) : pick(NUCLEI) + pick(CODAS);
    } else {
      const maxSyllables = r < 1000 ? 2 : r < 20_000 ? 3 : 4;
      const syllables = 1 + Math.floor(random() * maxSyllables);
      for (let s = 0; s < syllables; s++) w += pick(ONSETS) + pick(NUCLEI) + pick(CODAS);
    }
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words;
}

/** Path of the cached text for `spec`, generating it first if needed. */
export function zipfTextFile(spec: ZipfTextSpec, log?: (line: string) => void): string {
  const dir = join(os.tmpdir(), 'strom-bench-text');
  const path = join(dir, `zipf-${spec.bytes}-${spec.vocabulary}-${spec.seed}.txt`);
  if (existsSync(path) && statSync(path).size === spec.bytes) return path;
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const tmp = `${path}.${process.pid}.tmp`;
  writeZipfText(tmp, spec);
  renameSync(tmp, path);
  log?.(`  generated ${path} (${(spec.bytes / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return path;
}

function writeZipfText(path: string, spec: ZipfTextSpec): void {
  const words = makeVocabulary(spec.vocabulary, spec.seed);
  const random = seededRandom(spec.seed);
  // ~6.3 bytes per word on average (word + separator): draw ranks in batches as needed.
  const BATCH = 1 << 20;
  let ranks = zipfRanks(spec.vocabulary, BATCH, spec.seed);
  let batch = 0;
  let next = 0;
  const nextRank = (): number => {
    if (next === ranks.length) {
      ranks = zipfRanks(spec.vocabulary, BATCH, spec.seed + ++batch);
      next = 0;
    }
    return ranks[next++]!;
  };

  const fd = openSync(path, 'w');
  try {
    let written = 0;
    let chunk = '';
    let line = '';
    let lineLimit = 60 + Math.floor(random() * 41);
    let sentenceLeft = 0;
    let quoteOpen = false;
    const flush = (final: boolean) => {
      let buf = Buffer.from(chunk, 'latin1');
      chunk = '';
      if (written + buf.length >= spec.bytes) {
        buf = buf.subarray(0, spec.bytes - written);
        if (buf.length > 0) buf[buf.length - 1] = 0x0a;
        final = true;
      }
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      written += buf.length;
      return final;
    };
    for (;;) {
      let token: string;
      const roll = random();
      if (roll < 0.004) token = String(Math.floor(random() * (random() < 0.5 ? 100 : 100_000)));
      else {
        token = words[nextRank()]!;
        if (sentenceLeft === 0 || roll < 0.034) token = token[0]!.toUpperCase() + token.slice(1);
        else if (roll < 0.039) token = token.toUpperCase();
        if (random() < 0.01) token += "'s";
        else if (random() < 0.008) token += '-' + words[nextRank()]!;
      }
      if (sentenceLeft === 0) sentenceLeft = 4 + Math.floor(random() * 17);
      if (random() < 0.01) {
        token = (quoteOpen ? '' : '"') + token + (quoteOpen ? '"' : '');
        quoteOpen = !quoteOpen;
      } else if (random() < 0.004) token = `(${token})`;
      sentenceLeft--;
      if (sentenceLeft === 0) {
        const end = random();
        token += end < 0.85 ? '.' : end < 0.93 ? '?' : '!';
        if (quoteOpen) {
          token += '"';
          quoteOpen = false;
        }
      } else {
        const p = random();
        if (p < 0.07) token += ',';
        else if (p < 0.08) token += ';';
        else if (p < 0.085) token += ':';
      }
      if (line.length > 0 && line.length + 1 + token.length > lineLimit) {
        chunk += line + '\n';
        line = token;
        lineLimit = 60 + Math.floor(random() * 41);
        if (chunk.length >= 1 << 20 && flush(false)) return;
      } else line = line.length > 0 ? `${line} ${token}` : token;
    }
  } finally {
    closeSync(fd);
  }
}
