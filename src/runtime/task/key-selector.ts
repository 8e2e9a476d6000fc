/**
 * Turns a KeySpec into the function that extracts a record's key, for routing (key groups) and
 * for the JS keyed state. Field keys read a tuple position or a row field; several fields make a
 * tuple key (an array), as Flink's field-expression keys do.
 */
import { errors } from '../../errors.js';
import type { KeySpec } from '../../graph/stream-graph.js';
import type { TypeInformation } from '../../types/type-information.js';

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
