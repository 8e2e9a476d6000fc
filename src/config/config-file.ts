/**
 * Reads configuration text (a `strom.yaml` / `strom.json` file, the `STROM_PROPERTIES`
 * environment variable) into flat entries, each remembering where it was written.
 *
 * Both of Flink's YAML layouts are read and may be mixed: flat dotted keys
 * (`taskmanager.numberOfTaskSlots: 4`, Flink 1.x `flink-conf.yaml`) and nested maps
 * (`taskmanager: { numberOfTaskSlots: 4 }`, Flink 2 `config.yaml`), flattened to dotted keys.
 * JSON is read the same way. Values are left as the parser produced them (text, numbers,
 * booleans); each option parses its own format when `Configuration.set` receives them.
 *
 * Depends on: ../errors, the `yaml` package (YAML 1.2 core schema, as Flink 2 uses).
 */

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Pair, type YAMLMap } from 'yaml';
import { errors } from '../errors.js';

/** One configuration value as written in a source. */
export interface ConfigEntry {
  /** The dotted key, e.g. `taskmanager.memory.segment-size`. */
  readonly key: string;
  /** The value as the source wrote it: text, or a number/boolean from YAML or JSON. */
  readonly value: unknown;
  /** Where it was written, e.g. `conf/strom.yaml:3`, `STROM_PROPERTIES:2`, `-D`. */
  readonly origin: string;
}

/** The file names looked for in `STROM_CONF_DIR`, in this order. */
export const CONFIG_FILE_NAMES: readonly string[] = Object.freeze(['strom.yaml', 'strom.yml', 'strom.json']);

/** How configuration text is written. */
export type ConfigTextFormat = 'yaml' | 'json';

/**
 * Reads a config file: `.json` files as JSON, anything else as YAML.
 * @param path the file, named (as given) in every origin and error.
 * @throws ConfigSourceError when the file cannot be read or does not parse.
 */
export function readConfigFile(path: string): ConfigEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const detail = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw errors.configSource(path, detail);
  }
  return parseConfigText(text, path, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml');
}

/**
 * Parses configuration text into entries.
 * @param source names the text in origins (`source:line`) and errors.
 * @throws ConfigSourceError naming `source`, the line and the parser's message.
 */
export function parseConfigText(text: string, source: string, format: ConfigTextFormat): ConfigEntry[] {
  if (format === 'json') {
    // JSON.parse gives the familiar message; the YAML parser below (JSON is YAML 1.2) gives lines.
    try {
      JSON.parse(text);
    } catch (e) {
      throw errors.configSource(source, `malformed JSON: ${withLine(text, (e as Error).message)}`);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const kind = format === 'json' ? 'JSON' : 'YAML';
    throw errors.configSource(source, `malformed ${kind} at line ${lineOf(first.pos[0])}: ${first.message.split('\n')[0]}`);
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return []; // empty file
  if (!isMap(contents)) {
    throw errors.configSource(source, 'expected a map of configuration keys to values at the top level');
  }
  const entries: ConfigEntry[] = [];
  collect(doc, contents, '', source, lineOf, entries);
  return entries;
}

function collect(
  doc: Document,
  map: YAMLMap,
  prefix: string,
  source: string,
  lineOf: (offset: number) => number,
  out: ConfigEntry[],
): void {
  for (const pair of map.items as Array<Pair<unknown, unknown>>) {
    const keyNode = pair.key;
    const line = isScalar(keyNode) && keyNode.range ? lineOf(keyNode.range[0]) : undefined;
    const where = line === undefined ? source : `${source}:${line}`;
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      throw errors.configSource(where, 'configuration keys must be plain text');
    }
    const key = prefix ? `${prefix}.${String(keyNode.value)}` : String(keyNode.value);
    const value = pair.value;
    if (isMap(value)) {
      collect(doc, value, key, source, lineOf, out);
    } else {
      const js = value === null || value === undefined ? null : (value as { toJS(d: Document): unknown }).toJS(doc);
      out.push({ key, value: js, origin: where });
    }
  }
}

/** Appends "(line L, column C)" to a JSON.parse message that only gives a position. */
function withLine(text: string, message: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = Number(match[1]) - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
