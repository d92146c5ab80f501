// Block-diagonal product, the shape of a linear layer with weight D = diag(D_0, ..., D_nb-1):
//   Y[s, i*b + p] = sum_q X[s, i*b + q] * D_i[p, q],  fp32 activations, 16-bit blocks, fp32 accumulate.
// blocks [nb, b, b] row-major; X [N, ldx] and Y [N, ldy] floats.
// One thread per output element; the b x b blocks are small (ARMOR's wrappers hold ~3% of a layer's
// weights) and are re-read through the read-only cache by the threads of the same block.
#include <stdint.h>

#include "sparse.cuh"

namespace {

template <bool BF16>
__device__ __forceinline__ void blockdiag(const uint16_t* blocks, const float* X, float* Y, int nd, int b, int ldx,
                                          int ldy) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    const int s = blockIdx.y;
    if (col >= nd) return;
    const int first = col - col % b;  // the first column of col's block
    const uint16_t* d = blocks + (size_t)col * b;  // row p of block i starts at (i*b + p) * b
    const float* x = X + (size_t)s * ldx + first;
    float acc = 0.f;
    for (int q = 0; q < b; q++) acc += __ldg(x + q) * to_float<BF16>(__ldg(d + q));
    Y[(size_t)s * ldy + col] = acc;
}

}  // namespace

// Launch: grid (ceil(nd / 256), N), 256 threads; nd = nb * b.
#define BLOCKDIAG(NAME, BF)                                                                              \
    extern "C" __global__ void __launch_bounds__(256)                                                   \
        NAME(const uint16_t* blocks, const float* X, float* Y, int nd, int b, int ldx, int ldy) {        \
        blockdiag<BF>(blocks, X, Y, nd, b, ldx, ldy);                                                    \
    }

BLOCKDIAG(blockdiag_f16, false)
BLOCKDIAG(blockdiag_bf16, true)
