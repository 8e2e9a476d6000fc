/**
 * The RuntimeContext the operators give their rich functions (Flink's StreamingRuntimeContext):
 * the subtask's TaskInfo, and keyed state from the operator's KeyedStateBackend. An operator on
 * a non-keyed stream has no backend, so its state getters throw an error saying to keyBy first.
 */
import { errors } from '../../errors.js';
import type { RuntimeContext, TaskInfo } from '../../functions/runtime-context.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  State,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../../state/state-descriptor.js';

/** Which parallel instance runs an operator; the plain data of a TaskInfo. */
export interface SubtaskInfo {
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
}

class SubtaskTaskInfo implements TaskInfo {
  constructor(private readonly info: SubtaskInfo) {}
  getTaskName(): string {
    return this.info.taskName;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.info.maxParallelism;
  }
  getIndexOfThisSubtask(): number {
    return this.info.subtaskIndex;
  }
  getNumberOfParallelSubtasks(): number {
    return this.info.parallelism;
  }
  getAttemptNumber(): number {
    return this.info.attemptNumber;
  }
  getTaskNameWithSubtasks(): string {
    const { taskName, subtaskIndex, parallelism, attemptNumber } = this.info;
    return `${taskName} (${subtaskIndex + 1}/${parallelism})#${attemptNumber}`;
  }
}

export class StreamingRuntimeContext implements RuntimeContext {
  private readonly taskInfo: TaskInfo;

  constructor(
    info: SubtaskInfo,
    /** The operator's keyed state; undefined on a non-keyed stream. */
    private readonly stateBackend: KeyedStateBackend | undefined,
    /** The operator, for errors. */
    private readonly operatorName: string,
  ) {
    this.taskInfo = new SubtaskTaskInfo(info);
  }

  getTaskInfo(): TaskInfo {
    return this.taskInfo;
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.partitioned(descriptor);
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.partitioned(descriptor);
  }
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.partitioned(descriptor);
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.partitioned(descriptor);
  }
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.partitioned(descriptor);
  }

  private partitioned<S extends State>(descriptor: StateDescriptor<S>): S {
    if (this.stateBackend === undefined) {
      throw errors.unsupportedOperation(
        `Keyed state '${descriptor?.name}' in operator '${this.operatorName}' needs a keyed stream: ` +
          'state is scoped to a key, so call keyBy(...) before process(...), map(...) or the other function.',
      );
    }
    return this.stateBackend.getPartitionedState(descriptor);
  }
}
