/**
 * Flink's RuntimeContext: what a rich function learns about the subtask that runs it
 * (`getTaskInfo()`) and how it reaches keyed state. State is scoped to the key of the element or
 * timer being processed, so it exists only on keyed streams (after `keyBy`); elsewhere the
 * state getters throw an error saying so.
 */
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../state/state-descriptor.js';

/** Flink's TaskInfo: which parallel instance this is. */
export interface TaskInfo {
  /** The task's name, e.g. `KeyedProcess -> Sink: Collect`. */
  getTaskName(): string;
  /** Number of key groups of the operator. */
  getMaxNumberOfParallelSubtasks(): number;
  /** 0-based index of this subtask. */
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  /** How many times the job was restarted before this run (0: the first run). */
  getAttemptNumber(): number;
  /** `Name (index+1/parallelism)#attempt`, as Flink prints it. */
  getTaskNameWithSubtasks(): string;
}

export interface RuntimeContext {
  getTaskInfo(): TaskInfo;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}
