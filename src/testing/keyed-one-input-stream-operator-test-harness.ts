/**
 * Flink's KeyedOneInputStreamOperatorTestHarness: a harness for a keyed operator, with the key
 * selector of its `keyBy` and the key type. It gives the operator a keyed state backend (as a
 * job's keyed operator gets: `state.backend.type` routing, `auto` by default) and snapshots and
 * restores that state with the operator's timers, by key group.
 */
import { errors } from '../errors.js';
import type { TypeInformation } from '../types/type-information.js';
import type { HarnessOptions } from './harness-options.js';
import { OneInputStreamOperatorTestHarness, type OperatorFactory } from './one-input-stream-operator-test-harness.js';

export class KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> extends OneInputStreamOperatorTestHarness<IN, OUT> {
  /**
   * @param factory makes the operator; its setup carries the key selector and the state backend
   * @param keySelector the record's key (as given to keyBy)
   * @param keyType the key's declared type (e.g. Types.STRING), or undefined (GENERIC: heap state only)
   */
  constructor(factory: OperatorFactory<IN>, keySelector: (record: IN) => K, keyType?: TypeInformation<K>, options: HarnessOptions = {}) {
    if (typeof keySelector !== 'function') {
      throw errors.invalidArgumentType('key selector', keySelector, 'expected a function (record) => key, as given to keyBy');
    }
    if (keyType !== undefined && (keyType === null || typeof (keyType as TypeInformation<K>).createSerializer !== 'function')) {
      throw errors.invalidArgumentType('key type', keyType, 'expected a TypeInformation such as Types.STRING, or undefined');
    }
    super(factory, options, { keySelector: keySelector as (record: unknown) => unknown, keyType: keyType as TypeInformation<unknown> | undefined });
  }
}
