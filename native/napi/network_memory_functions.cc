// network_memory_functions.cc: the addon's free functions over network memory.
#include "network_memory_functions.h"

#include "arguments.h"
#include "core/network_memory_format.h"
#include "core/channel_layout.h"
#include "core/network_memory_layout.h"
#include "core/record_schema.h"
#include "error_translation.h"

namespace strom::napi {
namespace {

core::NetworkMemoryLayout layout_from_options(const Napi::CallbackInfo& info, size_t index) {
  Napi::Object options = object_argument(info, index, "options");
  core::NetworkMemoryOptions parsed;
  parsed.segment_size = integer_option(options, "segmentSize");
  parsed.num_segments = integer_option(options, "numSegments");
  parsed.max_local_pools = integer_option(options, "maxLocalPools");
  parsed.num_subpartition_counters = integer_option(options, "numSubpartitionCounters");
  return core::compute_network_memory_layout(parsed);
}

Napi::Object layout_object(Napi::Env env, const core::NetworkMemoryLayout& layout) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("byteLength", layout.total_bytes);
  result.Set("segmentSize", layout.segment_size);
  result.Set("numSegments", layout.num_segments);
  result.Set("maxLocalPools", layout.max_local_pools);
  result.Set("numSubpartitionCounters", layout.num_subpartition_counters);
  result.Set("headerOffset", 0);
  result.Set("localPoolsOffset", layout.local_pools_offset);
  result.Set("countersOffset", layout.counters_offset);
  result.Set("descriptorsOffset", layout.descriptors_offset);
  result.Set("segmentsOffset", layout.segments_offset);
  return result;
}

}  // namespace

Napi::Value NetworkMemoryLayoutFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "networkMemoryLayout", [&]() -> Napi::Value {
    return layout_object(info.Env(), layout_from_options(info, 0));
  });
}

Napi::Value FormatNetworkMemoryFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "formatNetworkMemory", [&]() -> Napi::Value {
    const SharedView view = shared_view_argument(info, 0, "view");
    const core::NetworkMemoryLayout layout = layout_from_options(info, 1);
    core::format_network_memory(view.data, view.length, layout);
    return layout_object(info.Env(), layout);
  });
}

Napi::Value LayoutConstantsFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "layoutConstants", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object c = Napi::Object::New(env);
    namespace hw = core::header_word;
    namespace pw = core::pool_word;
    namespace dw = core::descriptor_word;
    namespace rs = core::request_status;
    c.Set("MAGIC", core::kNetworkMemoryMagic);
    c.Set("VERSION", core::kNetworkMemoryVersion);
    c.Set("HEADER_WORDS", core::kHeaderWords);
    c.Set("POOL_ENTRY_WORDS", core::kPoolEntryWords);
    c.Set("DESCRIPTOR_WORDS", core::kDescriptorWords);
    c.Set("MIN_SEGMENT_SIZE", core::kMinSegmentSize);
    c.Set("SEGMENTS_ALIGNMENT", core::kSegmentsAlignment);
    c.Set("HEADER.MAGIC", hw::kMagic);
    c.Set("HEADER.VERSION", hw::kVersion);
    c.Set("HEADER.SEGMENT_SIZE", hw::kSegmentSize);
    c.Set("HEADER.NUM_SEGMENTS", hw::kNumSegments);
    c.Set("HEADER.MAX_LOCAL_POOLS", hw::kMaxLocalPools);
    c.Set("HEADER.NUM_SUBPARTITION_COUNTERS", hw::kNumSubpartitionCounters);
    c.Set("HEADER.LOCAL_POOLS_OFFSET", hw::kLocalPoolsOffset);
    c.Set("HEADER.COUNTERS_OFFSET", hw::kCountersOffset);
    c.Set("HEADER.DESCRIPTORS_OFFSET", hw::kDescriptorsOffset);
    c.Set("HEADER.SEGMENTS_OFFSET", hw::kSegmentsOffset);
    c.Set("HEADER.TOTAL_BYTES", hw::kTotalBytes);
    c.Set("HEADER.FREE_HEAD", hw::kFreeHead);
    c.Set("HEADER.AVAILABLE_SEGMENTS", hw::kAvailableSegments);
    c.Set("HEADER.HIGH_WATER_USED", hw::kHighWaterUsed);
    c.Set("HEADER.RESERVED_MINIMUM", hw::kReservedMinimum);
    c.Set("HEADER.CONTROL_LOCK", hw::kControlLock);
    c.Set("HEADER.NUM_LOCAL_POOLS", hw::kNumLocalPools);
    c.Set("HEADER.RECYCLE_EPOCH", hw::kRecycleEpoch);
    c.Set("HEADER.WAITERS", hw::kWaiters);
    c.Set("POOL.STATE", pw::kState);
    c.Set("POOL.NUM_SUBPARTITIONS", pw::kNumSubpartitions);
    c.Set("POOL.EXCLUSIVE_PER_SUBPARTITION", pw::kExclusivePerSubpartition);
    c.Set("POOL.MAX_FLOATING", pw::kMaxFloating);
    c.Set("POOL.MAX_PER_SUBPARTITION", pw::kMaxPerSubpartition);
    c.Set("POOL.FLOATING_SIZE", pw::kFloatingSize);
    c.Set("POOL.FLOATING_IN_USE", pw::kFloatingInUse);
    c.Set("POOL.HELD", pw::kHeld);
    c.Set("POOL.HIGH_WATER_HELD", pw::kHighWaterHeld);
    c.Set("POOL.COUNTERS_START", pw::kCountersStart);
    c.Set("POOL.REQUESTS_GRANTED", pw::kRequestsGranted);
    c.Set("POOL.REQUESTS_DENIED", pw::kRequestsDenied);
    c.Set("POOL_STATE.FREE", core::pool_state::kFree);
    c.Set("POOL_STATE.ACTIVE", core::pool_state::kActive);
    c.Set("DESCRIPTOR.NEXT_FREE", dw::kNextFree);
    c.Set("DESCRIPTOR.OWNER_POOL", dw::kOwnerPool);
    c.Set("DESCRIPTOR.SUBPARTITION", dw::kSubpartition);
    c.Set("STATUS.POOL_EXHAUSTED", rs::kPoolExhausted);
    c.Set("STATUS.SUBPARTITION_CAP", rs::kSubpartitionCap);
    c.Set("STATUS.GLOBAL_EMPTY", rs::kGlobalEmpty);
    namespace ch = core::channel;
    c.Set("CHANNEL.MAGIC", ch::kChannelGroupMagic);
    c.Set("CHANNEL.VERSION", ch::kChannelGroupVersion);
    c.Set("CHANNEL.HEADER_MAGIC", ch::kMagic);
    c.Set("CHANNEL.HEADER_VERSION", ch::kVersion);
    c.Set("CHANNEL.NUM_CHANNELS", ch::kNumChannels);
    c.Set("CHANNEL.RING_CAPACITY", ch::kRingCapacity);
    c.Set("CHANNEL.CANCELLED", ch::kCancelled);
    c.Set("CHANNEL.GATE_SIGNAL", ch::kGateSignal);
    c.Set("CHANNEL.GATE_WAITING", ch::kGateWaiting);
    c.Set("CHANNEL.CHANNELS_START", ch::kChannelsStart);
    c.Set("CHANNEL.WRITE_INDEX", ch::kWriteIndex);
    c.Set("CHANNEL.READ_INDEX", ch::kReadIndex);
    c.Set("CHANNEL.PRODUCER_WAITING", ch::kProducerWaiting);
    c.Set("CHANNEL.RING_START", ch::kRingStart);
    c.Set("CHANNEL.ENTRY_WORDS", ch::kEntryWords);
    c.Set("CHANNEL.ENTRY_SEGMENT", ch::kEntrySegment);
    c.Set("CHANNEL.ENTRY_START", ch::kEntryStart);
    c.Set("CHANNEL.ENTRY_END", ch::kEntryEnd);
    c.Set("CHANNEL.ENTRY_FLAGS", ch::kEntryFlags);
    c.Set("CHANNEL.FLAG_FINAL", ch::kFlagFinal);
    c.Set("CHANNEL.EVENT_SEGMENT", ch::kEventSegment);
    c.Set("CHANNEL.EVENT_END_OF_PARTITION", ch::kEventEndOfPartition);
    c.Set("CHANNEL.EVENT_CHECKPOINT_BARRIER", ch::kEventCheckpointBarrier);
    c.Set("CHANNEL.LENGTH_BYTES", ch::kLengthBytes);
    c.Set("CHANNEL.HEADER_BYTES", ch::kHeaderBytes);
    c.Set("CHANNEL.MAX_RECORD_BYTES", ch::kMaxRecordBytes);
    c.Set("CHANNEL.TAG_RECORD", ch::kTagRecord);
    c.Set("CHANNEL.TAG_RECORD_WITH_TIMESTAMP", ch::kTagRecordWithTimestamp);
    c.Set("CHANNEL.TAG_WATERMARK", ch::kTagWatermark);
    c.Set("CHANNEL.TAG_STREAM_STATUS", ch::kTagStreamStatus);
    using core::FieldKind;
    c.Set("FIELD_KIND.STRING", static_cast<int32_t>(FieldKind::kString));
    c.Set("FIELD_KIND.DOUBLE", static_cast<int32_t>(FieldKind::kDouble));
    c.Set("FIELD_KIND.LONG", static_cast<int32_t>(FieldKind::kLong));
    c.Set("FIELD_KIND.BOOLEAN", static_cast<int32_t>(FieldKind::kBoolean));
    c.Set("FIELD_KIND.TUPLE", static_cast<int32_t>(FieldKind::kTuple));
    c.Set("FIELD_KIND.GENERIC", static_cast<int32_t>(FieldKind::kGeneric));
    return c;
  });
}

}  // namespace strom::napi
