// CSR sparse x dense: Y[n, m] = sum over row m's non-zeros (c, v) of v * X[n, c], fp32 accumulate.
//
// Weights: rowPtr int32 [M + 1], colIdx uint16 [nnz] (K <= 65536: a quarter fewer bytes than
// int32 with fp16 values), values 16-bit [nnz]. X is [N, ldx] halves, Y [N, ldy] floats.
// One warp per row: consecutive lanes read consecutive non-zeros (coalesced index and value loads),
// gather X through the read-only cache (one decode batch row is a few KB and stays in L1), and the
// row's sum is a warp shuffle reduction. The grid's y dimension takes 8 batch entries at a time, so
// SpMV (N = 1) and small SpMM share the kernel. Rows are not reordered by length: a warp per row
// already splits a long row 32 ways.
#include <stdint.h>

#include "sparse.cuh"

namespace {

constexpr int WARPS = 8, BATCH = 8;

template <bool BF16>
__device__ __forceinline__ void spmm_csr(const int* rowPtr, const uint16_t* colIdx, const uint16_t* values,
                                         const uint16_t* X, float* Y, int M, int N, int ldx, int ldy) {
    warp_per_row<BF16, WARPS, BATCH>(X, Y, M, N, ldx, ldy, [&](int row, int lane, auto&& add) {
        const int end = __ldg(rowPtr + row + 1);
        for (int i = __ldg(rowPtr + row) + lane; i < end; i += 32) {
            add(__ldg(colIdx + i), to_float<BF16>(__ldg(values + i)));
        }
    });
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
