#!/usr/bin/env bash
# The GPU test kit's one command: runs the GPU tests (JUnit tag "gpu", with a synchronise after
# every launch so a fault names its kernel), then ./shears bench gpu, on the kit's own Java runtime.
# Usage: ./run-gpu.sh [bench gpu options, e.g. --quick | --sizes 4096]
# Environment: KIT_DETAILS (JUnit console --details: tree, summary, ...), KIT_SKIP_BENCH=1, OUT
# (where test reports go; the device tool's $OUT brings them back).
set -uo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="$KIT/runtime/bin/java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -XX:+UseParallelGC)
CP="$KIT/lib/benchmarks.jar:$KIT/lib/shears-tensor-tests.jar:$KIT/lib/shears-cuda-tests.jar"
REPORTS="${OUT:-$KIT}/junit-reports"

echo "run-gpu: $("$JAVA" -version 2>&1 | head -n 1) from $KIT/runtime"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

"$JAVA" "${FLAGS[@]}" -Dshears.cuda.sync=true -jar "$KIT/lib/junit-platform-console-standalone.jar" execute \
  --class-path "$CP" --select-package dev.shears.cuda --include-tag gpu --disable-banner \
  --details="${KIT_DETAILS:-tree}" --reports-dir "$REPORTS"
tests=$?

bench=0
if [ "${KIT_SKIP_BENCH:-0}" != 1 ]; then
  "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.shears.bench.Bench gpu "$@"
  bench=$?
fi
echo "run-gpu: tests exit $tests, bench exit $bench (2 = no usable GPU)"
[ $tests -eq 0 ] && [ $bench -eq 0 ]
