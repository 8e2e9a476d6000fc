// Shared-memory layout of a channel group: the single-producer single-consumer rings of
// segment slices that feed one consumer subtask (Flink's input gate). The one C++ declaration,
// mirrored word for word by src/io/channel-layout.ts (checked by
// test/native/network-memory-layout-mirror.test.ts through `layoutConstants()`).
// Change both together and bump kChannelGroupVersion.
//
//  word 0                    16                    32
//  +-------------------------+---------------------+----------------------------------------+
//  | MAGIC VERSION N CAP CNL | GATE_SIGNAL WAITING | channel 0 | channel 1 | ... | channel N-1 |
//  +-------------------------+---------------------+----------------------------------------+
//  channel c starts at word kChannelsStart + c * channel_words(CAP):
//  +0  WRITE_INDEX (own line)   +16 READ_INDEX, PRODUCER_WAITING   +32 CAP entries of 4 words
//                                                                       [SEGMENT, START, END, FLAGS]
//
// Writers and order (see the TS file for the full contract):
//  - header words: the control plane, once, before tasks run; CANCELLED when it cancels.
//  - entry words then WRITE_INDEX (seq_cst store): the producer only.
//  - READ_INDEX (seq_cst store) after the consumer is done with the entry: the consumer only.
//  - a data entry names bytes [START, END) of network-memory segment SEGMENT; FLAGS bit 0
//    (final) tells the consumer to recycle the segment after the slice. An event entry has
//    SEGMENT = -1, START = event type, END = event argument.
#pragma once

#include <cstdint>

namespace strom::core::channel {

inline constexpr int32_t kChannelGroupMagic = 0x5354434e;  // 'STCN'
inline constexpr int32_t kChannelGroupVersion = 1;

// Header words.
inline constexpr int32_t kMagic = 0;
inline constexpr int32_t kVersion = 1;
inline constexpr int32_t kNumChannels = 2;
inline constexpr int32_t kRingCapacity = 3;
inline constexpr int32_t kCancelled = 4;
inline constexpr int32_t kGateSignal = 16;
inline constexpr int32_t kGateWaiting = 17;
inline constexpr int32_t kChannelsStart = 32;

// Words inside one channel.
inline constexpr int32_t kWriteIndex = 0;
inline constexpr int32_t kReadIndex = 16;
inline constexpr int32_t kProducerWaiting = 17;
inline constexpr int32_t kRingStart = 32;

// Ring entries.
inline constexpr int32_t kEntryWords = 4;
inline constexpr int32_t kEntrySegment = 0;
inline constexpr int32_t kEntryStart = 1;
inline constexpr int32_t kEntryEnd = 2;
inline constexpr int32_t kEntryFlags = 3;
inline constexpr int32_t kFlagFinal = 1;
inline constexpr int32_t kEventSegment = -1;

// Events.
inline constexpr int32_t kEventEndOfPartition = 1;
inline constexpr int32_t kEventCheckpointBarrier = 2;

// Framing of records inside segment slices: [int32 length][tag][payload].
inline constexpr int32_t kLengthBytes = 4;
inline constexpr int32_t kHeaderBytes = 5;
inline constexpr int32_t kMaxRecordBytes = 1 << 30;
inline constexpr uint8_t kTagRecord = 0;
inline constexpr uint8_t kTagRecordWithTimestamp = 1;
inline constexpr uint8_t kTagWatermark = 2;
inline constexpr uint8_t kTagLatencyMarker = 3;  // reserved: never written, rejected as corrupt
inline constexpr uint8_t kTagStreamStatus = 4;
// A RECORD_WITH_TIMESTAMP payload starts with the float64 timestamp, then the value.
inline constexpr uint32_t kTimestampBytes = 8;

constexpr int32_t channel_words(int32_t capacity) { return kRingStart + capacity * kEntryWords; }

}  // namespace strom::core::channel
