// Bitmap sparse x dense: Y[n, m] = sum over stored (m, c) of W[m, c] * X[n, c], fp32 accumulate.
//
// GPU layout (BitmapLayout.java; kernels.md §1.6, Mustafar's tiles turned to run along a row):
// each row is cut into 64-column tiles; tile (m, j) has a uint64 bitmap (bit i = column 64j + i,
// least significant first, as the CPU format's byte order), a uint32 offset into the values, and
// its stored values in ascending column order, padded with zeros to a multiple of 8 halves so that
// every tile starts 16-byte aligned and is read with 128-bit loads.
// One warp per row, lane l takes tiles l, l + 32, ...: the bitmaps and offsets of a warp are 256
// and 128 contiguous bytes, and a tile's values follow the previous tile's. Columns come from the
// bitmap by find-first-set, X through the read-only cache, and the row's sum by warp shuffles.
#include <stdint.h>

#include "sparse.cuh"

namespace {

constexpr int WARPS = 8, BATCH = 8;

template <bool BF16>
__device__ __forceinline__ void spmm_bitmap(const unsigned long long* bitmaps, const uint32_t* offsets,
                                            const uint16_t* values, const uint16_t* X, float* Y, int M, int N,
                                            int tiles, int ldx, int ldy) {
    warp_per_row<BF16, WARPS, BATCH>(X, Y, M, N, ldx, ldy, [&](int row, int lane, auto&& add) {
        for (int j = lane; j < tiles; j += 32) {
            unsigned long long bits = __ldg(bitmaps + (size_t)row * tiles + j);
            const uint4* v = reinterpret_cast<const uint4*>(values + __ldg(offsets + (size_t)row * tiles + j));
            while (bits) {
                const uint4 eight = __ldg(v++);
                const uint32_t w[4] = {eight.x, eight.y, eight.z, eight.w};
#pragma unroll
                for (int i = 0; i < 8; i++) {
                    if (bits) {
                        const int c = 64 * j + __ffsll(static_cast<long long>(bits)) - 1;
                        bits &= bits - 1;
                        // value i is the low (even i) or high half of word i / 2
                        add(c, to_float<BF16>(static_cast<uint16_t>(w[i >> 1] >> (16 * (i & 1)))));
                    }
                }
            }
        }
    });
}

}  // namespace

// Launch: grid (ceil(M / 8), ceil(N / 8)), 256 threads; tiles = ceil(K / 64).
#define SPMM_BITMAP(NAME, BF)                                                                                    \
    extern "C" __global__ void __launch_bounds__(WARPS * 32)                                                    \
        NAME(const unsigned long long* bitmaps, const uint32_t* offsets, const uint16_t* values,                \
             const uint16_t* X, float* Y, int M, int N, int tiles, int ldx, int ldy) {                          \
        spmm_bitmap<BF>(bitmaps, offsets, values, X, Y, M, N, tiles, ldx, ldy);                                 \
    }

SPMM_BITMAP(spmm_bitmap_f16, false)
SPMM_BITMAP(spmm_bitmap_bf16, true)
