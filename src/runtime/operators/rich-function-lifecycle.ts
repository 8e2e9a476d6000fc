/**
 * Opens and closes the rich function object of an operator (Flink's FunctionUtils.openFunction
 * and closeFunction): its runtime context is set, then `open` runs; an error in `open` is the
 * user function's, named after the operator. Operators given a plain function pass undefined.
 */
import { errors } from '../../errors.js';
import type { RichFunction } from '../../functions/rich-function.js';
import type { RuntimeContext } from '../../functions/runtime-context.js';

/** A rich function with the context it is opened with. */
export interface RichFunctionBinding {
  readonly fn: RichFunction;
  readonly context: RuntimeContext;
}

export function openRichFunction(binding: RichFunctionBinding | undefined, operatorName: string): void {
  if (binding === undefined) return;
  binding.fn.setRuntimeContext(binding.context);
  try {
    binding.fn.open({});
  } catch (cause) {
    throw errors.userFunction(operatorName, 'open', cause);
  }
}

export function closeRichFunction(fn: RichFunction | undefined, operatorName: string): void {
  if (fn === undefined) return;
  try {
    fn.close();
  } catch (cause) {
    throw errors.userFunction(operatorName, 'close', cause);
  }
}
