/**
 * How a record is shown as text by `print()` / `printToErr()` and `writeAsText()`: the JS
 * counterpart of the `toString()` Flink's PrintSinkFunction and TextOutputFormat call.
 *
 * | value                       | text                     | Flink counterpart                                 |
 * |-----------------------------|--------------------------|---------------------------------------------------|
 * | string                      | as is                    | `String.toString()`                               |
 * | tuple (JS array)            | `(a,1)`, nested `(a,(b,2))`, empty `()` | `Tuple.toString()`: `(f0,f1,...)`, no spaces |
 * | number                      | as JS prints it: `3`, `0.1`, `1e+21`, `NaN`, `Infinity`, `-0` as `0` | (Java would print `3.0`; JS has one number type) |
 * | bigint (`Types.LONG`)       | digits, no `n`: `42`     | `Long.toString()`                                 |
 * | boolean                     | `true` / `false`         | `Boolean.toString()`                              |
 * | null / undefined            | `null` / `undefined`     | `null` (Java has no undefined)                    |
 * | row (plain object)          | `{word=a, count=1}`      | a named `Row`'s body (`+I{word=a, count=1}`) without the RowKind, which strom does not have; also Java's `Map.toString()` |
 * | Map                         | `{k=v, k2=v2}`           | `Map.toString()`                                  |
 * | Set                         | `[a, b]`                 | `Set.toString()`                                  |
 * | typed array / Buffer        | `[1, 2, 3]`              | `Arrays.toString(byte[])` (as Tuple/Row print arrays) |
 * | Date                        | ISO 8601 (`toISOString()`), `Invalid Date` if invalid | -                   |
 * | object with its own `toString()` (class, Error, URL...) | `String(value)` | a POJO's `toString()`              |
 * | class instance without one  | like a row, `{x=1, y=2}` | (Java prints `Class@hash`; strom prints what a serialization round trip would give) |
 *
 * Values nested inside tuples, rows, maps and sets follow the same rules. Nesting deeper than
 * 64 levels (a cycle, most likely) prints `...` instead of recursing forever.
 *
 * Hot path: WordCount prints millions of `(word,n)`; a tuple of primitives is formatted with
 * one loop of string concatenations, no JSON and no intermediate arrays.
 *
 * Layering: depends on nothing.
 */

/** Nesting depth past which `formatRecord` prints `...` (guards against cycles). */
const MAX_DEPTH = 64;

/** The text `print()` and `writeAsText()` show for `value` (see the module table). */
export function formatRecord(value: unknown): string {
  return format(value, 0);
}

function format(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      // String(-0) is '0'; 1e21 -> '1e+21'; NaN, Infinity, -Infinity as named.
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) return '...';
      return Array.isArray(value) ? formatTuple(value, depth) : formatObject(value, depth);
    default:
      // symbol, function
      return String(value);
  }
}

/** Flink's Tuple.toString: `(f0,f1,...)`, no spaces, nested tuples recursively. */
function formatTuple(tuple: readonly unknown[], depth: number): string {
  const n = tuple.length;
  if (n === 0) return '()';
  let text = '(';
  for (let i = 0; i < n; i++) {
    if (i > 0) text += ',';
    const field = tuple[i];
    // Inline the two commonest cases of the hot path.
    text += typeof field === 'string' ? field : typeof field === 'number' ? String(field) : format(field, depth + 1);
  }
  return text + ')';
}

function formatObject(value: object, depth: number): string {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    // Typed arrays (Buffer included): Java's Arrays.toString, `[1, 2, 3]`.
    return `[${Array.prototype.join.call(value, ', ')}]`;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  if (value instanceof Map) {
    let text = '{';
    let first = true;
    for (const [k, v] of value) {
      if (!first) text += ', ';
      first = false;
      text += format(k, depth + 1) + '=' + format(v, depth + 1);
    }
    return text + '}';
  }
  if (value instanceof Set) {
    let text = '[';
    let first = true;
    for (const v of value) {
      if (!first) text += ', ';
      first = false;
      text += format(v, depth + 1);
    }
    return text + ']';
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && proto !== Object.prototype && (value as { toString?: unknown }).toString !== Object.prototype.toString) {
    // A class (or Error, URL, boxed primitive...) with its own toString: a POJO's toString().
    return String(value);
  }
  // A row (plain object) or a class instance without toString: `{name=value, ...}`.
  let text = '{';
  let first = true;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (!first) text += ', ';
    first = false;
    text += key + '=' + format((value as Record<string, unknown>)[key], depth + 1);
  }
  return text + '}';
}
