/**
 * strom's public surface. Everything not exported here is internal and may change.
 *
 * Jobs: `defineJob` + the DataStream API, run with `execute` / `executeAndCollect` (or the
 * `strom` CLI). Also the configuration model, type information for declaring record types, and
 * the error classes with their stable codes.
 */
export {
  StromError,
  ConfigurationError,
  ConfigSourceError,
  InsufficientNetworkBuffersError,
  SerializationError,
  CorruptRecordError,
  NativeAddonError,
} from './errors.js';

export { Configuration } from './config/configuration.js';
export { loadConfiguration } from './config/config-loader.js';
export type { LoadConfigurationOptions } from './config/config-loader.js';
export type { ConfigEntry } from './config/config-file.js';
export type { ConfigOption } from './config/config-option.js';
export {
  ALL_CONFIG_OPTIONS,
  BUFFER_TIMEOUT,
  MANAGED_MEMORY_SIZE,
  TASK_HEAP_SIZE,
  MAX_PARALLELISM,
  MEMORY_SEGMENT_SIZE,
  NETWORK_BUFFERS_PER_CHANNEL,
  NETWORK_FLOATING_BUFFERS_PER_GATE,
  NETWORK_MAX_BUFFERS_PER_CHANNEL,
  NETWORK_MEMORY_FRACTION,
  NETWORK_MEMORY_MAX,
  NETWORK_MEMORY_MIN,
  TOTAL_PROCESS_MEMORY,
} from './config/config-options.js';
export { parseMemorySize, formatMemorySize } from './config/memory-size.js';
export { parseDuration, formatDuration } from './config/duration.js';
export { resolveNetworkMemory } from './config/network-memory-config.js';
export type { NetworkMemoryConfig } from './config/network-memory-config.js';

export { Types } from './types/type-information.js';
export type { TypeInformation, TupleTypeInformation, RowTypeInformation, TypeOf } from './types/type-information.js';
export type { TypeSerializer } from './types/type-serializer.js';

export { defineJob, isJobDefinition } from './api/define-job.js';
export type { JobDefinition, JobParameters } from './api/define-job.js';
export { execute, executeAndCollect } from './client/execute.js';
export { explain } from './client/plan-job.js';
export type { CollectedJob, ExecuteOptions, JobExecutionResult } from './client/execute.js';
export { StreamExecutionEnvironment } from './api/stream-execution-environment.js';
export type { RuntimeMode } from './api/stream-execution-environment.js';
export { ConnectedStreams, DataStream, DataStreamSink, KeyedStream, SingleOutputStreamOperator } from './api/data-stream.js';
export type { KeySelectorLike } from './api/data-stream.js';
export { FileSystem } from './api/file-system.js';
export type { WriteMode } from './api/file-system.js';
export { JobExecutionError, JobCancelledError, UserFunctionError, ManagedMemoryExceededError, InvalidJobError, InsufficientSlotsError, SinkError, SourceError } from './errors.js';
export type { TaskMetrics } from './runtime/deployment.js';
export { submit, JobClient } from './client/submit.js';
export type { SubmitOptions, JobClientEvents } from './client/submit.js';
export { backPressureLevel } from './runtime/metrics/job-metrics.js';
export type {
  BackPressureLevel,
  JobMetricsSnapshot,
  SlotHeapSnapshot,
  TaskManagerMetricsSnapshot,
  TaskMetricsSnapshot,
  TaskStatus,
} from './runtime/metrics/job-metrics.js';
export { DEFAULT_PARALLELISM, NUMBER_OF_TASK_SLOTS, RUNTIME_MODE, OPERATOR_CHAINING, FS_OVERWRITE_FILES } from './config/config-options.js';

// Event time: watermark strategies and generators (Flink's org.apache.flink.api.common.eventtime).
export { AUTO_WATERMARK_INTERVAL } from './config/config-options.js';
export { WatermarkStrategy } from './eventtime/watermark-strategy.js';
export { BoundedOutOfOrdernessWatermarks } from './eventtime/bounded-out-of-orderness-watermarks.js';
export { AscendingTimestampsWatermarks } from './eventtime/ascending-timestamps-watermarks.js';
export { WatermarksWithIdleness } from './eventtime/watermarks-with-idleness.js';
export { NoWatermarksGenerator } from './eventtime/no-watermarks-generator.js';
export { RecordTimestampAssigner } from './eventtime/timestamp-assigner.js';
export type { TimestampAssigner, TimestampAssignerLike } from './eventtime/timestamp-assigner.js';
export type { WatermarkGenerator, WatermarkGeneratorSupplier, WatermarkGeneratorSupplierContext } from './eventtime/watermark-generator.js';
export type { WatermarkOutput } from './eventtime/watermark-output.js';
export type { RelativeClock } from './eventtime/relative-clock.js';
export { TimestampedValue, Watermark, TEMPORARILY_IDLE } from './eventtime/source-markers.js';
export type { SourceElement, SourceFactory } from './api/stream-execution-environment.js';

// Process functions, rich functions, timers and side outputs (issue 10).
export { OutputTag } from './functions/output-tag.js';
export { ProcessFunction } from './functions/process-function.js';
export type { ProcessContext, ProcessOnTimerContext } from './functions/process-function.js';
export { KeyedProcessFunction } from './functions/keyed-process-function.js';
export type { KeyedProcessContext, KeyedProcessOnTimerContext } from './functions/keyed-process-function.js';
export { AbstractRichFunction, RichMapFunction, RichFlatMapFunction, RichFilterFunction, RichReduceFunction } from './functions/rich-function.js';
export type { RichFunction, OpenContext, FlatMapCollector } from './functions/rich-function.js';
export type { RuntimeContext, TaskInfo } from './functions/runtime-context.js';
export { TimeDomain } from './functions/timer-service.js';
export type { TimerService } from './functions/timer-service.js';
export type { Collector } from './functions/collector.js';
export { ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor } from './state/state-descriptor.js';
export type { ValueState, ListState, MapState, ReducingState, AggregatingState, AggregateFunction, State } from './state/state-descriptor.js';
export { StateTtlConfig } from './state/state-ttl-config.js';
