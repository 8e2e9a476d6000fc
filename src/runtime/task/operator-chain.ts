/**
 * The chained JS operators of a task as one push function: `push(record)` runs the record
 * through map/filter/flatMap in turn and hands the results to the next part (the output
 * writers or the sink), in the same thread, without serialization (Flink's operator chain).
 *
 * A user function that throws fails with UserFunctionError naming the operator; errors from
 * further down the chain pass through unwrapped, so the innermost operator is named.
 */
import { errors } from '../../errors.js';
import type { StreamNode } from '../../graph/stream-graph.js';

export type Push = (record: unknown) => void;

/** Puts `node` (a map, flatMap or filter) in front of `next`. */
export function chainOperator(node: StreamNode, next: Push): Push {
  const op = node.operator;
  const name = node.name;
  switch (op.kind) {
    case 'map': {
      const fn = op.fn;
      return (record) => {
        let result: unknown;
        try {
          result = fn(record);
        } catch (cause) {
          throw errors.userFunction(name, fn.name || 'map', cause);
        }
        next(result);
      };
    }
    case 'filter': {
      const fn = op.fn;
      return (record) => {
        let keep: boolean;
        try {
          keep = fn(record);
        } catch (cause) {
          throw errors.userFunction(name, fn.name || 'filter', cause);
        }
        if (keep) next(record);
      };
    }
    case 'flatMap': {
      const fn = op.fn;
      // Results are collected first, so an exception from further down is not blamed on fn.
      const results: unknown[] = [];
      const collect = (result: unknown) => {
        results.push(result);
      };
      return (record) => {
        results.length = 0;
        try {
          fn(record, collect);
        } catch (cause) {
          results.length = 0;
          throw errors.userFunction(name, fn.name || 'flatMap', cause);
        }
        for (let i = 0; i < results.length; i++) next(results[i]);
        results.length = 0;
      };
    }
    default:
      throw errors.internal(`operator '${name}' (${op.kind}) cannot be chained as a record function`);
  }
}
