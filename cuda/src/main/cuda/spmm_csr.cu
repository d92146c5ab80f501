// CSR sparse x dense: Y[n, m] = sum over row m's non-zeros (c, v) of v * X[n, c], fp32 accumulate.
//
// Weights: rowPtr int32 [M + 1], colIdx uint16 [nnz] (K <= 65536: a quarter fewer bytes than
// int32 with fp16 values), values 16-bit [nnz]. X is [N, ldx] halves, Y [N, ldy] floats.
// One warp per row: consecutive lanes read consecutive non-zeros (coalesced index and value loads),
// gather X through the read-only cache (one decode batch row is a few KB and stays in L1), and the
// row's sum is a warp shuffle reduction. The grid's y dimension takes 8 batch entries at a time, so
// SpMV (N = 1) and small SpMM share the kernel. Rows are not reordered by length: a warp per row
// already splits a long row 32 ways.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace {

constexpr int WARPS = 8, BATCH = 8;

template <bool BF16>
__device__ __forceinline__ float to_float(uint16_t bits) {
    if (BF16) return __uint_as_float(static_cast<uint32_t>(bits) << 16);
    return __half2float(__ushort_as_half(bits));
}

template <bool BF16>
__device__ __forceinline__ void spmm_csr(const int* rowPtr, const uint16_t* colIdx, const uint16_t* values,
                                         const uint16_t* X, float* Y, int M, int N, int ldx, int ldy) {
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * WARPS + (threadIdx.x >> 5);
    const int n0 = blockIdx.y * BATCH;
    if (row >= M) return;
    const int nb = min(BATCH, N - n0);
    const uint16_t* x = X + (size_t)n0 * ldx;
    float acc[BATCH] = {};
    const int end = __ldg(rowPtr + row + 1);
    for (int i = __ldg(rowPtr + row) + lane; i < end; i += 32) {
        const int c = __ldg(colIdx + i);
        const float v = to_float<BF16>(__ldg(values + i));
#pragma unroll
        for (int b = 0; b < BATCH; b++)
            if (b < nb) acc[b] += v * to_float<BF16>(__ldg(x + (size_t)b * ldx + c));
    }
#pragma unroll
    for (int b = 0; b < BATCH; b++) {
#pragma unroll
        for (int off = 16; off > 0; off >>= 1) acc[b] += __shfl_xor_sync(0xffffffffu, acc[b], off);
    }
    if (lane < nb) {  // lane b stores batch entry b; the compile-time loop keeps acc in registers
#pragma unroll
        for (int b = 0; b < BATCH; b++)
            if (b == lane) Y[(size_t)(n0 + b) * ldy + row] = acc[b];
    }
}

}  // namespace

// Launch: grid (ceil(M / 8), ceil(N / 8)), 256 threads.
#define SPMM_CSR(NAME, BF)                                                                                        \
    extern "C" __global__ void __launch_bounds__(WARPS * 32)                                                     \
        NAME(const int* rowPtr, const uint16_t* colIdx, const uint16_t* values, const uint16_t* X, float* Y, \
             int M, int N, int ldx, int ldy) {                                                                   \
        spmm_csr<BF>(rowPtr, colIdx, values, X, Y, M, N, ldx, ldy);                                              \
    }

SPMM_CSR(spmm_csr_f16, false)
SPMM_CSR(spmm_csr_bf16, true)
