// Shared by the sparse kernels (armor.cu, blockdiag.cu, spmm_bitmap.cu, spmm_csr.cu): 16-bit
// weight and input conversions, and the frame of the warp-per-row kernels.
// Editing this header marks every module stale (see KernelSources).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace {

// The float that 16-bit bits of GpuHalf F16 or BF16 stand for (exact).
template <bool BF16>
__device__ __forceinline__ float to_float(uint16_t bits) {
    if (BF16) return __uint_as_float(static_cast<uint32_t>(bits) << 16);
    return __half2float(__ushort_as_half(bits));
}

// f rounded to nearest even in F16 or BF16, as GpuHalf.encode.
template <bool BF16>
__device__ __forceinline__ uint16_t from_float(float f) {
    if (BF16) return __bfloat16_as_ushort(__float2bfloat16_rn(f));
    return __half_as_ushort(__float2half_rn(f));
}

// acc[b] += w * X[b, c] for the nb <= BATCH batch rows of x [nb, ldx] halves, read through the
// read-only cache. The loop runs to the compile-time BATCH so acc stays in registers.
template <bool BF16, int BATCH>
__device__ __forceinline__ void accumulate_column(float (&acc)[BATCH], float w, const uint16_t* x, int ldx, int c,
                                                  int nb) {
#pragma unroll
    for (int b = 0; b < BATCH; b++)
        if (b < nb) acc[b] += w * to_float<BF16>(__ldg(x + (size_t)b * ldx + c));
}

// The frame of the warp-per-row kernels (spmm_csr.cu, spmm_bitmap.cu), launched on grid
// (ceil(M / WARPS), ceil(N / BATCH)) with WARPS * 32 threads: warp w of CTA (i, j) computes
// Y[n, row] = sum over the stored (c, w) of weight row `row` = WARPS * i + w of w * X[n, c], for the
// batch entries n = BATCH * j .. + BATCH - 1 below N, in fp32.
// row_terms(row, lane, add) calls add(c, w) for this lane's share of the row's stored values; the
// warp then sums the lanes' partial sums with butterfly shuffles and lane b stores batch entry b.
// Both loops over b run to the compile-time BATCH so acc stays in registers: acc[lane] would index
// it at run time and put it in local memory.
template <bool BF16, int WARPS, int BATCH, typename RowTerms>
__device__ __forceinline__ void warp_per_row(const uint16_t* X, float* Y, int M, int N, int ldx, int ldy,
                                             RowTerms row_terms) {
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * WARPS + (threadIdx.x >> 5);
    const int n0 = blockIdx.y * BATCH;
    if (row >= M) return;
    const int nb = min(BATCH, N - n0);
    const uint16_t* x = X + (size_t)n0 * ldx;
    float acc[BATCH] = {};
    row_terms(row, lane, [&](int c, float w) { accumulate_column<BF16>(acc, w, x, ldx, c, nb); });
#pragma unroll
    for (int b = 0; b < BATCH; b++) {
#pragma unroll
        for (int off = 16; off > 0; off >>= 1) acc[b] += __shfl_xor_sync(0xffffffffu, acc[b], off);
    }
    if (lane < nb) {
#pragma unroll
        for (int b = 0; b < BATCH; b++)
            if (b == lane) Y[(size_t)(n0 + b) * ldy + row] = acc[b];
    }
}

}  // namespace
