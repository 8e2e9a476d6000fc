/**
 * The TS mirror (src/memory/network-memory-layout.ts) must match the one C++ declaration
 * (native/core/network_memory_layout.h), word for word; and the loader must fail with
 * NativeAddonError, naming the fix, when the addon file is missing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import * as channel from '../../src/io/channel-layout.js';
import { HEADER_BYTES, LENGTH_BYTES, MAX_RECORD_BYTES, StreamElementTag } from '../../src/io/stream-element.js';
import * as layout from '../../src/memory/network-memory-layout.js';
import { FieldKindCode } from '../../src/types/type-descriptor.js';
import { loadNativeAddon } from '../../src/native/addon.js';

test('TS layout constants mirror native/core/network_memory_layout.h, channel_layout.h and record_schema.h', () => {
  const native = loadNativeAddon().layoutConstants();
  const mirrored: Record<string, number> = {
    MAGIC: layout.MAGIC,
    VERSION: layout.VERSION,
    HEADER_WORDS: layout.HEADER_WORDS,
    POOL_ENTRY_WORDS: layout.POOL_ENTRY_WORDS,
    DESCRIPTOR_WORDS: layout.DESCRIPTOR_WORDS,
    MIN_SEGMENT_SIZE: layout.MIN_SEGMENT_SIZE,
    SEGMENTS_ALIGNMENT: layout.SEGMENTS_ALIGNMENT,
  };
  const groups: Record<string, Record<string, number>> = {
    HEADER: layout.HeaderWord,
    POOL: layout.PoolWord,
    POOL_STATE: layout.PoolState,
    DESCRIPTOR: layout.DescriptorWord,
    STATUS: layout.RequestStatus,
  };
  for (const [group, words] of Object.entries(groups)) {
    for (const [name, value] of Object.entries(words)) mirrored[`${group}.${name}`] = value;
  }
  Object.assign(mirrored, {
    'CHANNEL.MAGIC': channel.CHANNEL_GROUP_MAGIC,
    'CHANNEL.VERSION': channel.CHANNEL_GROUP_VERSION,
    'CHANNEL.HEADER_MAGIC': channel.MAGIC,
    'CHANNEL.HEADER_VERSION': channel.VERSION,
    'CHANNEL.NUM_CHANNELS': channel.NUM_CHANNELS,
    'CHANNEL.RING_CAPACITY': channel.RING_CAPACITY,
    'CHANNEL.CANCELLED': channel.CANCELLED,
    'CHANNEL.GATE_SIGNAL': channel.GATE_SIGNAL,
    'CHANNEL.GATE_WAITING': channel.GATE_WAITING,
    'CHANNEL.CHANNELS_START': channel.CHANNELS_START,
    'CHANNEL.WRITE_INDEX': channel.WRITE_INDEX,
    'CHANNEL.READ_INDEX': channel.READ_INDEX,
    'CHANNEL.PRODUCER_WAITING': channel.PRODUCER_WAITING,
    'CHANNEL.RING_START': channel.RING_START,
    'CHANNEL.ENTRY_WORDS': channel.ENTRY_WORDS,
    'CHANNEL.ENTRY_SEGMENT': channel.ENTRY_SEGMENT,
    'CHANNEL.ENTRY_START': channel.ENTRY_START,
    'CHANNEL.ENTRY_END': channel.ENTRY_END,
    'CHANNEL.ENTRY_FLAGS': channel.ENTRY_FLAGS,
    'CHANNEL.FLAG_FINAL': channel.FLAG_FINAL,
    'CHANNEL.EVENT_SEGMENT': channel.EVENT_SEGMENT,
    'CHANNEL.EVENT_END_OF_PARTITION': channel.ChannelEvent.END_OF_PARTITION,
    'CHANNEL.EVENT_CHECKPOINT_BARRIER': channel.ChannelEvent.CHECKPOINT_BARRIER,
    'CHANNEL.LENGTH_BYTES': LENGTH_BYTES,
    'CHANNEL.HEADER_BYTES': HEADER_BYTES,
    'CHANNEL.MAX_RECORD_BYTES': MAX_RECORD_BYTES,
    'CHANNEL.TAG_RECORD': StreamElementTag.RECORD,
    'CHANNEL.TAG_RECORD_WITH_TIMESTAMP': StreamElementTag.RECORD_WITH_TIMESTAMP,
    'CHANNEL.TAG_WATERMARK': StreamElementTag.WATERMARK,
    'CHANNEL.TAG_STREAM_STATUS': StreamElementTag.STREAM_STATUS,
  });
  for (const [name, code] of Object.entries(FieldKindCode)) mirrored[`FIELD_KIND.${name}`] = code;
  assert.deepEqual(mirrored, native);
  assert.equal(layout.HEADER_RECYCLE_EPOCH, native['HEADER.RECYCLE_EPOCH']);
  assert.equal(layout.HEADER_WAITERS, native['HEADER.WAITERS']);
});

test('the header words JS reads hold what the layout says', () => {
  const addon = loadNativeAddon();
  const options = { segmentSize: 4096, numSegments: 10, maxLocalPools: 3, numSubpartitionCounters: 12 };
  const info = addon.networkMemoryLayout(options);
  const view = new Uint8Array(new SharedArrayBuffer(info.byteLength + 64), 8);
  assert.deepEqual(addon.formatNetworkMemory(view, options), info);
  const words = layout.networkMemoryWords(view);
  const H = layout.HeaderWord;
  assert.equal(Atomics.load(words, H.MAGIC), layout.MAGIC);
  assert.equal(Atomics.load(words, H.VERSION), layout.VERSION);
  assert.equal(Atomics.load(words, H.SEGMENT_SIZE), 4096);
  assert.equal(Atomics.load(words, H.NUM_SEGMENTS), 10);
  assert.equal(Atomics.load(words, H.LOCAL_POOLS_OFFSET), info.localPoolsOffset);
  assert.equal(Atomics.load(words, H.COUNTERS_OFFSET), info.countersOffset);
  assert.equal(Atomics.load(words, H.DESCRIPTORS_OFFSET), info.descriptorsOffset);
  assert.equal(Atomics.load(words, H.SEGMENTS_OFFSET), info.segmentsOffset);
  assert.equal(Atomics.load(words, H.TOTAL_BYTES), info.byteLength);
  assert.equal(Atomics.load(words, H.AVAILABLE_SEGMENTS), 10);
  assert.equal(info.segmentsOffset % layout.SEGMENTS_ALIGNMENT, 0);
  assert.equal(info.localPoolsOffset, layout.HEADER_WORDS * 4);
  assert.equal(info.byteLength, info.segmentsOffset + 10 * 4096);
  // FREE_HEAD: segment 0 on top, tag 0; descriptor 0 links to 1.
  const head = new BigInt64Array(view.buffer, view.byteOffset, layout.HEADER_WORDS / 2);
  assert.equal(Atomics.load(head, H.FREE_HEAD / 2), 0n);
  const descriptors = new Int32Array(view.buffer, view.byteOffset + info.descriptorsOffset, 10 * layout.DESCRIPTOR_WORDS);
  assert.equal(descriptors[layout.DescriptorWord.NEXT_FREE], 1);
  assert.equal(descriptors[9 * layout.DESCRIPTOR_WORDS + layout.DescriptorWord.NEXT_FREE], -1);

  // A pool's words, read from JS while it works.
  const pool = new addon.NetworkBufferPool(view);
  const id = pool.createLocalPool(3, 2, 4, 5);
  const entry = new Int32Array(view.buffer, view.byteOffset + info.localPoolsOffset + id * layout.POOL_ENTRY_WORDS * 4, layout.POOL_ENTRY_WORDS);
  assert.equal(Atomics.load(entry, layout.PoolWord.STATE), layout.PoolState.ACTIVE);
  assert.equal(Atomics.load(entry, layout.PoolWord.NUM_SUBPARTITIONS), 3);
  const segment = pool.requestSegment(id, 1);
  assert.equal(Atomics.load(entry, layout.PoolWord.HELD), 1);
  assert.equal(descriptors[segment * layout.DESCRIPTOR_WORDS + layout.DescriptorWord.OWNER_POOL], id + 1);
  assert.equal(descriptors[segment * layout.DESCRIPTOR_WORDS + layout.DescriptorWord.SUBPARTITION], 1);
  assert.equal(Atomics.load(words, H.RESERVED_MINIMUM), 7);
  assert.equal(pool.recycleSegment(segment), 0);
  assert.equal(Atomics.load(words, H.RECYCLE_EPOCH), 1);
  assert.equal(descriptors[segment * layout.DESCRIPTOR_WORDS + layout.DescriptorWord.OWNER_POOL], 0);
  pool.destroyLocalPool(id);
});

test('a missing addon file raises NativeAddonError saying how to build it', async () => {
  const addonModule = new URL('../../src/native/addon.js', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(addonModule)}).then((m) => {
       const { parentPort } = require('node:worker_threads');
       try { m.loadNativeAddon(); parentPort.postMessage(null); }
       catch (e) { parentPort.postMessage({ name: e.name, code: e.code, message: e.message }); }
     });`,
    { eval: true, env: { ...process.env, STROM_ADDON_PATH: '/nonexistent/strom_native.node' } },
  );
  const reply = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.deepEqual(reply && { ...(reply as object), message: undefined }, { name: 'NativeAddonError', code: 'ERR_NATIVE_ADDON', message: undefined });
  assert.match((reply as { message: string }).message, /not found at \/nonexistent\/strom_native\.node.*npm install.*npm run build:native/);
});
