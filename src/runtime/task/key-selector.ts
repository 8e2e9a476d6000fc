/**
 * Turns a KeySpec into the function that extracts a record's key, for routing (key groups) and
 * for the JS keyed state. Field keys read a tuple position or a row field; several fields make a
 * tuple key (an array), as Flink's field-expression keys do.
 */
import { errors } from '../../errors.js';
import type { KeySpec } from '../../graph/stream-graph.js';
import { Types, type TypeInformation } from '../../types/type-information.js';

export function keySelectorOf(key: KeySpec, type: TypeInformation<unknown> | undefined, operator: string): (record: unknown) => unknown {
  if (key.kind === 'selector') {
    const selector = key.selector;
    return (record) => {
      try {
        return selector(record);
      } catch (cause) {
        throw errors.userFunction(operator, selector.name || 'keySelector', cause);
      }
    };
  }
  const names = (type as { fieldNames?: readonly string[] } | undefined)?.fieldNames;
  const accessors = key.fields.map((field) => (names ? names[field]! : field));
  if (accessors.length === 1) {
    const field = accessors[0]!;
    return (record) => {
      if (record !== null && typeof record === 'object') return (record as Record<string | number, unknown>)[field];
      if (field === 0) return record; // a stream of plain values keyed by "field 0": the value itself
      throw errors.invalidArgumentType(`record of operator '${operator}'`, record, `cannot read key field ${String(field)} from it`);
    };
  }
  return (record) => accessors.map((field) => (record as Record<string | number, unknown>)[field]);
}

/**
 * The declared type of the keys `keySelectorOf` extracts: a field's type, a TUPLE of the fields'
 * types for several fields, the record type itself for field 0 of a plain value; undefined for a
 * key selector function or a record type without field types (the key type is not known).
 */
export function keyTypeOf(key: KeySpec, type: TypeInformation<unknown> | undefined): TypeInformation<unknown> | undefined {
  if (key.kind === 'selector' || type === undefined) return undefined;
  const fields = (type as { fieldTypes?: readonly TypeInformation<unknown>[] }).fieldTypes;
  if (fields === undefined) return key.fields.length === 1 && key.fields[0] === 0 ? type : undefined;
  const types = key.fields.map((f) => fields[f]);
  if (types.some((t) => t === undefined)) return undefined;
  return types.length === 1 ? types[0] : Types.TUPLE(...(types as TypeInformation<unknown>[]));
}
