/**
 * The strom internals the benchmarks drive, imported in one place (paths relative to dist/bench).
 * Benchmarks measure the io/memory layers directly, below the public API.
 */
export { NetworkBufferPool } from '../../src/memory/network-buffer-pool.js';
export { ChannelGroup } from '../../src/io/channel-group.js';
export { ChannelProducer } from '../../src/io/channel-producer.js';
export { ChannelConsumer } from '../../src/io/channel-consumer.js';
export { ChannelEvent, EVENT_SEGMENT, FLAG_FINAL } from '../../src/io/channel-layout.js';
export { RecordWriter } from '../../src/io/record-writer.js';
export { RecordReader, ReadStatus } from '../../src/io/record-reader.js';
export { SpinBudget } from '../../src/io/spin-until.js';
export { ForwardPartitioner } from '../../src/io/partitioner/forward-partitioner.js';
export { DataInputView, DataOutputView, StreamElementTag, Types } from './strom-types.js';
