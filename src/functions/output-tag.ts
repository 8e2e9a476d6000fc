/**
 * A named side output (Flink's OutputTag): an operator emits records to a tag with
 * `Output.collectSide(tag, value, timestamp)` besides its main output, and only the consumers
 * registered for that tag receive them. Tags are equal when their ids are equal, so a tag
 * recreated in a worker thread (the job is rebuilt there) matches the one the plan named.
 */
import { errors } from '../errors.js';

/** Marks tags of any copy of strom loaded in the process (see `isOutputTag`). */
const BRAND = Symbol.for('strom.OutputTag');

export class OutputTag<T = unknown> {
  /** The brand `isOutputTag` reads. */
  get [BRAND](): true {
    return true;
  }

  /**
   * True for an OutputTag, also one of another copy of strom in the same process (a job's
   * TypeScript sources run by the `strom` command's build), where `instanceof` says no.
   */
  static isOutputTag(value: unknown): value is OutputTag<unknown> {
    return value instanceof OutputTag || (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true);
  }

  /** The tag's id: unique among the side outputs of a job. */
  readonly id: string;
  /** Type marker only (records of this tag are T); never set. */
  declare readonly __type?: T;

  /** @param id A non-empty id, unique among the job's side outputs. */
  constructor(id: string) {
    if (typeof id !== 'string' || id.length === 0) throw errors.invalidArgumentType('OutputTag id', id, 'expected a non-empty string');
    this.id = id;
  }

  /** True when `other` names the same side output. */
  equals(other: OutputTag<unknown>): boolean {
    return other === this || other.id === this.id;
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
