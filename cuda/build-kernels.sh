#!/usr/bin/env bash
# Compiles every cuda/src/main/cuda/*.cu into the shipped resources
# cuda/src/main/resources/dev/shears/cuda/kernels/<name>.{cubin,ptx,sha256} (plus headers.txt).
# The artifacts are committed, so Maven and CI need no nvcc; rerun this after editing a .cu or
# .cuh (a CI test fails on a stale module). Needs nvcc (CUDA 12.4+; 13.0 on the dev machines).
#   cuda/build-kernels.sh           rebuild the modules whose source hash changed
#   cuda/build-kernels.sh --force   rebuild all
set -euo pipefail
export LC_ALL=C
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/src/main/cuda"
OUT="$HERE/src/main/resources/dev/shears/cuda/kernels"
NVCC="${NVCC:-nvcc}"
# -O3, no fast math: the kernels must round like the CPU backend (architecture.md 3.2).
FLAGS=(-O3 -std=c++17)
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

command -v "$NVCC" >/dev/null || { echo "build-kernels: $NVCC not found (install the CUDA toolkit or set NVCC)" >&2; exit 1; }
mkdir -p "$OUT"
cd "$SRC"
headers=$(ls -1 *.cuh 2>/dev/null | sort || true)
printf '%s\n' $headers > "$OUT/headers.txt"

# Must equal dev.shears.cuda.KernelSources.hash: the .cu, then every header in sorted order.
source_hash() { cat "$1.cu" $headers | sha256sum | cut -d' ' -f1; }

built=0
for cu in *.cu; do
  name="${cu%.cu}"
  hash=$(source_hash "$name")
  if [ $FORCE = 0 ] && [ -f "$OUT/$name.sha256" ] && [ "$(cat "$OUT/$name.sha256")" = "$hash" ] \
     && [ -f "$OUT/$name.cubin" ] && [ -f "$OUT/$name.ptx" ]; then
    continue
  fi
  echo "build-kernels: $cu"
  # sm_90a machine code (Hopper, arch-specific features allowed) and compute_90 PTX for newer GPUs.
  "$NVCC" "${FLAGS[@]}" -cubin -gencode arch=compute_90a,code=sm_90a -o "$OUT/$name.cubin" "$cu"
  "$NVCC" "${FLAGS[@]}" -ptx -gencode arch=compute_90,code=compute_90 -o "$OUT/$name.ptx" "$cu"
  echo "$hash" > "$OUT/$name.sha256"
  built=$((built + 1))
done

# Drop artifacts of deleted sources.
for f in "$OUT"/*.sha256; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .sha256)
  if [ ! -f "$name.cu" ]; then
    echo "build-kernels: removing stale artifacts of deleted $name.cu"
    rm -f "$OUT/$name.cubin" "$OUT/$name.ptx" "$OUT/$name.sha256"
  fi
done
echo "build-kernels: $built module(s) rebuilt into ${OUT#$HERE/}"
