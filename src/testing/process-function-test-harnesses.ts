/**
 * Flink's ProcessFunctionTestHarnesses: a harness around a user function, built as a job would
 * run it, opened and ready for elements.
 *
 * ```ts
 * const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new FraudDetector(), (t) => t.account, Types.STRING);
 * harness.processElement({ account: 'a', amount: 0.5 }, 1000);
 * harness.processElement({ account: 'a', amount: 900 }, 2000);
 * assert.deepEqual(harness.extractOutputValues(), ['alert a']);
 * ```
 */
import { errors } from '../errors.js';
import { KeyedProcessFunction } from '../functions/keyed-process-function.js';
import { ProcessFunction } from '../functions/process-function.js';
import { KeyedProcessOperator } from '../runtime/operators/keyed-process-operator.js';
import { ProcessOperator } from '../runtime/operators/process-operator.js';
import type { TypeInformation } from '../types/type-information.js';
import { KeyedOneInputStreamOperatorTestHarness } from './keyed-one-input-stream-operator-test-harness.js';
import { OneInputStreamOperatorTestHarness } from './one-input-stream-operator-test-harness.js';
import type { HarnessOptions } from './harness-options.js';
import type { OperatorSubtaskState } from './operator-subtask-state.js';

export interface ProcessFunctionHarnessOptions extends HarnessOptions {
  /** A snapshot (or several, from other parallel instances) to restore before the harness opens. */
  readonly initialState?: OperatorSubtaskState | readonly OperatorSubtaskState[] | undefined;
}

/** Restores `options.initialState` (if any) and opens. */
function start<H extends Pick<OneInputStreamOperatorTestHarness<unknown, unknown>, 'initializeState' | 'open'>>(harness: H, options: ProcessFunctionHarnessOptions): H {
  harness.initializeState(options.initialState);
  harness.open();
  return harness;
}

export const ProcessFunctionTestHarnesses = {
  /** A harness running `fn` as `stream.process(fn)` does, opened. */
  forProcessFunction<IN, OUT>(fn: ProcessFunction<IN, OUT>, options: ProcessFunctionHarnessOptions = {}): OneInputStreamOperatorTestHarness<IN, OUT> {
    if (!(fn instanceof ProcessFunction)) {
      throw errors.invalidArgumentType('process function', fn, 'expected an object of a class extending ProcessFunction (for a KeyedProcessFunction use forKeyedProcessFunction)');
    }
    const name = options.operatorName ?? 'Process';
    const harness = new OneInputStreamOperatorTestHarness<IN, OUT>(
      (setup) => new ProcessOperator(name, fn as ProcessFunction<unknown, unknown>, { processingTimeService: setup.processingTimeService, subtask: setup.subtask }, setup.output),
      { ...options, operatorName: name },
    );
    return start(harness, options);
  },

  /** A harness running `fn` as `stream.keyBy(keySelector).process(fn)` does, opened. */
  forKeyedProcessFunction<K, IN, OUT>(
    fn: KeyedProcessFunction<K, IN, OUT>,
    keySelector: (record: IN) => K,
    keyType?: TypeInformation<K>,
    options: ProcessFunctionHarnessOptions = {},
  ): KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> {
    if (!(fn instanceof KeyedProcessFunction)) {
      throw errors.invalidArgumentType('keyed process function', fn, 'expected an object of a class extending KeyedProcessFunction (for a ProcessFunction use forProcessFunction)');
    }
    const name = options.operatorName ?? 'KeyedProcess';
    const harness = new KeyedOneInputStreamOperatorTestHarness<K, IN, OUT>(
      (setup) =>
        new KeyedProcessOperator(
          name,
          fn as KeyedProcessFunction<unknown, unknown, unknown>,
          {
            keySelector: setup.keySelector!,
            maxParallelism: setup.maxParallelism,
            keyGroupRange: setup.keyGroupRange,
            processingTimeService: setup.processingTimeService,
            stateBackend: setup.stateBackend,
            subtask: setup.subtask,
          },
          setup.output,
        ),
      keySelector,
      keyType,
      { ...options, operatorName: name },
    );
    return start(harness, options);
  },
};
