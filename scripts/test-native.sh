#!/usr/bin/env bash
# npm run test:native: the native code under AddressSanitizer + UndefinedBehaviorSanitizer.
#  1. cmake-js build with STROM_SANITIZE=ON into build-asan/ (offline: node-api-headers).
#  2. ctest: the C++ unit and stress tests (native/test/*_test.cc).
#  3. node --test on the JS files below, loading the sanitized addon via STROM_ADDON_PATH with
#     libasan preloaded (Node itself is not instrumented; leak checks are off for that reason).
# Fails on the first error. Extend the JS list with STROM_NATIVE_JS_TESTS (space-separated,
# paths of compiled tests under dist/) or by adding to NATIVE_JS_TESTS here.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=build-asan
NATIVE_JS_TESTS=(
  dist/test/memory/network-buffer-pool-accounting.test.js
  dist/test/native/network-memory-layout-mirror.test.js
  dist/test/io/channel-stress.test.js
  dist/test/io/record-writer-reader.test.js
  dist/test/io/record-writer-reader-time.test.js
  dist/test/runtime/task/stream-task-watermarks.test.js
  dist/test/state/native-keyed-aggregation.test.js
  dist/test/state/native-keyed-aggregation-workers.test.js
  dist/test/state/native-keyed-state-backend.test.js
  dist/test/state/keyed-state-backends.test.js
  dist/test/runtime/keyed-state-backends-job.test.js
  dist/test/native/key-hash-native.test.js
  dist/test/native/native-exceptions.test.js
  dist/test/native/shared-constants-mirror.test.js
)
if [[ -n "${STROM_NATIVE_JS_TESTS:-}" ]]; then
  read -r -a extra <<<"$STROM_NATIVE_JS_TESTS"
  NATIVE_JS_TESTS+=("${extra[@]}")
fi

echo "== cmake-js build ($BUILD_DIR, STROM_SANITIZE=ON)"
node_modules/.bin/cmake-js build --out "$BUILD_DIR" --parallel "$(nproc 2>/dev/null || echo 2)" \
  --CDSTROM_SANITIZE=ON --log-level warn

echo "== ctest"
ctest --test-dir "$BUILD_DIR" --output-on-failure

echo "== JS tests against the sanitized addon"
npm run --silent build:ts
ADDON="$PWD/$BUILD_DIR/Release/strom_native.node"
[[ -f "$ADDON" ]] || { echo "missing $ADDON" >&2; exit 1; }
LIBASAN="$(g++ -print-file-name=libasan.so)"
# halt_on_error/abort: any ASan or UBSan report kills the test process, failing the run.
LD_PRELOAD="$LIBASAN" \
  ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  STROM_ADDON_PATH="$ADDON" \
  STROM_STRESS_RECORDS="${STROM_STRESS_RECORDS:-1000000}" \
  node --test --test-concurrency=1 "${NATIVE_JS_TESTS[@]}"
