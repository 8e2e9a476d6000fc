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
      // Results go straight on; an error thrown further down passes through unwrapped (the
      // flag tells it from one thrown by fn itself). Records emitted before fn throws have
      // reached downstream already, as with Flink's Collector.
      let downstream = false;
      const collect = (result: unknown) => {
        downstream = true;
        next(result);
        downstream = false;
      };
      return (record) => {
        try {
          fn(record, collect);
        } catch (cause) {
          if (downstream) {
            downstream = false;
            throw cause;
          }
          throw errors.userFunction(name, fn.name || 'flatMap', cause);
        }
      };
    }
    default:
      throw errors.internal(`operator '${name}' (${op.kind}) cannot be chained as a record function`);
  }
}
