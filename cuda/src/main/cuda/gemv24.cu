// 2:4 decode GEMV for batch 1..8, on the sparse tensor cores, and its dense twin.
//
//   Y[n, m] = sum_k X[n, k] * W[m, k],  n < N <= 8, fp32 accumulate and output.
//
// Decode is memory-bound: the kernel has to stream W once at full bandwidth. The batch (padded to
// the MMA's n = 8) makes it an m16n8k32 product per 16-row tile, so the arithmetic stays on the
// tensor cores and costs nothing next to the loads, at any batch up to 8.
// W is the upload form of Layout24.java (as spmm24.cu); X is [N, ldx] halves, columns K..Kp-1 zero.
//
// A CTA of 8 warps owns one 16-row tile of W; warp w takes k-tiles w, w + 8, w + 16, ... so that
// the 8 warps together read 8 x 32 contiguous bytes of each row per round (mma_sp_tile in
// sparse24.cuh: every lane fetches its own fragments straight from global memory). The 8 partial
// tiles are summed through shared memory.
// The Java model in Gemv24KernelModelTest mirrors every index expression of this file.
#include <stdint.h>

#include "sparse24.cuh"

namespace {

constexpr int WARPS = 8;

// Sums the warps' 16 x 8 tiles and stores rows m < M, batch entries n < N to Y[n, m].
__device__ __forceinline__ void reduce_store(const float (&c)[4], float* Y, int tileRow, int M, int N, int ldy) {
    __shared__ float partial[WARPS][4][32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int i = 0; i < 4; i++) partial[warp][i][lane] = c[i];
    __syncthreads();
    if (warp < 4) {  // warp i sums accumulator i of every lane
        float s = 0.f;
#pragma unroll
        for (int w = 0; w < WARPS; w++) s += partial[w][warp][lane];
        int m = tileRow * 16 + (lane >> 2) + (warp >> 1) * 8;
        int n = 2 * (lane & 3) + (warp & 1);
        if (m < M && n < N) Y[(size_t)n * ldy + m] = s;
    }
}

template <bool BF16>
__device__ __forceinline__ void gemv24(const uint32_t* W, const uint32_t* meta, const uint32_t* X, float* Y, int M,
                                       int N, int Kp, int ldx, int ldy) {
    const int warp = threadIdx.x >> 5;
    float c[4] = {};
    mma_sp_tile<BF16>(c, W, meta, X, blockIdx.x, N, Kp, ldx, warp, WARPS);
    reduce_store(c, Y, blockIdx.x, M, N, ldy);
}

// The same CTA shape and k-tile split on a dense W [Mp, Kp]: two m16n8k16 per 32 columns.
template <bool BF16>
__device__ __forceinline__ void gemv_twin(const uint32_t* W, const uint32_t* X, float* Y, int M, int N, int Kp,
                                          int ldx, int ldy) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, t = lane & 3, R = blockIdx.x, KT = Kp / 32;
    const size_t rowWords = Kp / 2;
    const uint32_t* wg = W + (size_t)(R * 16 + g) * rowWords + t;
    const uint32_t* wg8 = wg + 8 * rowWords;
    const uint32_t* xg = X + (size_t)g * (ldx / 2) + t;
    const bool valid = g < N;
    float c[4] = {};
#pragma unroll 4
    for (int kt = warp; kt < KT; kt += WARPS) {
        uint32_t b[4];
        load_x(b, xg, valid, kt);
#pragma unroll
        for (int h = 0; h < 2; h++) {  // dense columns 32kt + 16h .. + 15
            int k = kt * 16 + h * 8;
            uint32_t a[4] = {ldg_stream(wg + k), ldg_stream(wg8 + k), ldg_stream(wg + k + 4), ldg_stream(wg8 + k + 4)};
            mma_dense<BF16>(c, a, b[2 * h], b[2 * h + 1]);
        }
    }
    reduce_store(c, Y, R, M, N, ldy);
}

}  // namespace

// Launch: grid (Mp / 16), 256 threads; N <= 8; ldx even.
#define GEMV24(NAME, BF)                                                                                      \
    extern "C" __global__ void __launch_bounds__(WARPS * 32) NAME(const uint32_t* W, const uint32_t* meta,  \
                                                                  const uint32_t* X, float* Y, int M, int N, \
                                                                  int Kp, int ldx, int ldy) {                \
        gemv24<BF>(W, meta, X, Y, M, N, Kp, ldx, ldy);                                                        \
    }
#define GEMV_TWIN(NAME, BF)                                                                                    \
    extern "C" __global__ void __launch_bounds__(WARPS * 32) NAME(const uint32_t* W, const uint32_t* X,      \
                                                                  float* Y, int M, int N, int Kp, int ldx,   \
                                                                  int ldy) {                                 \
        gemv_twin<BF>(W, X, Y, M, N, Kp, ldx, ldy);                                                           \
    }

GEMV24(gemv24_f16, false)
GEMV24(gemv24_bf16, true)
GEMV_TWIN(gemv_twin_f16, false)
GEMV_TWIN(gemv_twin_bf16, true)
