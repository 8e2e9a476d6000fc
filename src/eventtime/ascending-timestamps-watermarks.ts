/**
 * The generator for timestamps that never go down (Flink's AscendingTimestampsWatermarks): the
 * bounded out-of-orderness generator with no delay, so it emits the largest timestamp seen minus 1.
 */
import { BoundedOutOfOrdernessWatermarks } from './bounded-out-of-orderness-watermarks.js';

export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() {
    super(0);
  }
}
