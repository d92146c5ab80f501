#!/usr/bin/env bash
# Packs the self-contained GPU test kit (./shears gpu-kit): a jlink Java runtime, the built jars
# (benchmarks.jar carries every module, JCuda with its linux-x86_64 natives and the kernels; the
# tensor and cuda test-jars; the JUnit console launcher) and kit/run-gpu.sh. The GPU machines have
# no network and may have no JVM, and the device tool carries at most 64 MiB, so the kit must stay
# below that: the script fails if it does not.
# Output: target/gpu-kit (git-ignored). On the GPU machine: target/gpu-kit/run-gpu.sh [--quick].
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIT="$ROOT/target/gpu-kit"
LIMIT=$((64 * 1024 * 1024))
# The console launcher of the JUnit platform that junit-bom 5.14.1 (the parent pom) pins.
CONSOLE="org.junit.platform:junit-platform-console-standalone:1.14.1"
# java.base and the Vector API, plus what the jars use: JUL (JUnit), java.xml (JUnit reports),
# jdk.unsupported (Jackson, JCuda), jdk.zipfs (JUnit scans the jars for test classes). java.desktop (XChart's PNG
# plots) is left out on purpose: the GPU tests and bench draw no charts, and it would add ~10 MB.
# libjvm.so ships with its symbol table; strip --strip-unneeded takes 5 MB off it.
MODULES="java.base,jdk.incubator.vector,java.logging,java.xml,jdk.unsupported,jdk.zipfs"

: "${JAVA_HOME:?set JAVA_HOME to a JDK 25 (./shears gpu-kit finds one)}"
mvn_q() { (cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B -ntp -q "$@"); }

echo "gpu-kit: building jars (mvn package -DskipTests) ..."
mvn_q -DskipTests package
rm -rf "$KIT"
mkdir -p "$KIT/lib"
cp "$ROOT/bench/target/benchmarks.jar" "$KIT/lib/"
cp "$ROOT"/tensor/target/shears-tensor-*-tests.jar "$KIT/lib/shears-tensor-tests.jar"
cp "$ROOT"/cuda/target/shears-cuda-*-tests.jar "$KIT/lib/shears-cuda-tests.jar"
mvn_q dependency:copy -Dartifact="$CONSOLE" -DoutputDirectory="$KIT/lib" -Dmdep.stripVersion=true
echo "gpu-kit: jlink $MODULES"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --compress zip-9 --output "$KIT/runtime"
if command -v strip >/dev/null; then
  strip --strip-unneeded "$KIT/runtime/lib/server/libjvm.so"
fi
"$KIT/runtime/bin/java" -version >/dev/null 2>&1 || { echo "gpu-kit: the packed runtime does not start" >&2; exit 1; }
cp "$ROOT/cuda/kit/run-gpu.sh" "$KIT/run-gpu.sh"
chmod +x "$KIT/run-gpu.sh"

size=$(du -sb "$KIT" | cut -f1)
du -sh "$KIT/runtime" "$KIT"/lib/* | sed 's|'"$ROOT"'/||'
awk -v s="$size" -v k="${KIT#$ROOT/}" 'BEGIN { printf "gpu-kit: %s, %.1f MiB of the 64 MiB the device tool carries\n", k, s / 1048576 }'
if [ "$size" -gt "$LIMIT" ]; then
  echo "gpu-kit: too large ($size bytes > $LIMIT)" >&2
  exit 1
fi
