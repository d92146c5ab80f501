// The fused ARMOR product for decode (batch 1..8): y = A · ((V ⊙ M) · (B · x)) per batch entry,
//   Y[n, :] = X[n, :] · (A · S · B)ᵀ,   A [M, M] and B [K, K] block-diagonal (block size b), S 2:4.
//
// armor_in: U = X · Bᵀ as 16-bit halves [N, ldu], columns K..ldu-1 written as zeros, so U is the
//   B operand of the 2:4 tensor-core product (X [N, ldx] halves in, fp32 accumulate).
// armor: one CTA per diagonal block of A (b output rows = b/16 tiles of S). Its 8 warps split the
//   tiles and their k-tiles as gemv24.cu does, sum S·U for the b rows in shared memory and apply
//   A's block there, so the 2:4 core is read once and V never goes through global memory.
//   b in {16, 32, 64, 128}; M a multiple of b; S in the upload form of Layout24.java.
#include <stdint.h>

#include "sparse.cuh"
#include "sparse24.cuh"

namespace {

constexpr int WARPS = 8, BATCH = 8, MAX_BLOCK = 128;

template <bool BF16>
__device__ __forceinline__ void armor_in(const uint16_t* bBlocks, const uint16_t* X, uint16_t* U, int K, int b,
                                         int ldx, int ldu) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    const int s = blockIdx.y;
    if (col >= ldu) return;
    float acc = 0.f;
    if (col < K) {
        const uint16_t* d = bBlocks + (size_t)col * b;
        const uint16_t* x = X + (size_t)s * ldx + (col - col % b);
        for (int q = 0; q < b; q++) acc += to_float<BF16>(__ldg(x + q)) * to_float<BF16>(__ldg(d + q));
    }
    U[(size_t)s * ldu + col] = from_float<BF16>(acc);
}

template <bool BF16>
__device__ __forceinline__ void armor(const uint16_t* aBlocks, const uint32_t* S, const uint32_t* meta,
                                      const uint32_t* U, float* Y, int N, int Kp, int ldu, int ldy, int b) {
    __shared__ float partial[WARPS][4][32];
    __shared__ float v[MAX_BLOCK][BATCH];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int tiles = b / 16, perTile = WARPS / tiles;  // warps per 16-row tile of S
    float c[4] = {};
    mma_sp_tile<BF16>(c, S, meta, U, blockIdx.x * tiles + warp / perTile, N, Kp, ldu, warp % perTile, perTile);
#pragma unroll
    for (int i = 0; i < 4; i++) partial[warp][i][lane] = c[i];
    __syncthreads();
    for (int idx = tid; idx < b * BATCH; idx += WARPS * 32) {  // v[p][n] = (S·U) of block row p, entry n
        const int p = idx / BATCH, n = idx % BATCH, rr = p % 16;
        const int i = (rr >> 3) * 2 + (n & 1), owner = (rr & 7) * 4 + (n >> 1);
        float s = 0.f;
        for (int w = 0; w < perTile; w++) s += partial[(p / 16) * perTile + w][i][owner];
        v[p][n] = s;
    }
    __syncthreads();
    for (int idx = tid; idx < b * N; idx += WARPS * 32) {  // Y[n, r0 + p] = sum_q A_i[p, q] * v[q][n]
        const int p = idx % b, n = idx / b;
        const int r = blockIdx.x * b + p;
        const uint16_t* arow = aBlocks + (size_t)r * b;
        float y = 0.f;
        for (int q = 0; q < b; q++) y += to_float<BF16>(__ldg(arow + q)) * v[q][n];
        Y[(size_t)n * ldy + r] = y;
    }
}

}  // namespace

// Launch: grid (ceil(ldu / 256), N), 256 threads.
#define ARMOR_IN(NAME, BF)                                                                                       \
    extern "C" __global__ void __launch_bounds__(256) NAME(const uint16_t* bBlocks, const uint16_t* X,         \
                                                           uint16_t* U, int K, int b, int ldx, int ldu) {       \
        armor_in<BF>(bBlocks, X, U, K, b, ldx, ldu);                                                             \
    }
// Launch: grid (M / b), 256 threads; N <= 8.
#define ARMOR(NAME, BF)                                                                                          \
    extern "C" __global__ void __launch_bounds__(WARPS * 32)                                                    \
        NAME(const uint16_t* aBlocks, const uint32_t* S, const uint32_t* meta, const uint32_t* U, float* Y,     \
             int N, int Kp, int ldu, int ldy, int b) {                                                           \
        armor<BF>(aBlocks, S, meta, U, Y, N, Kp, ldu, ldy, b);                                                   \
    }

ARMOR_IN(armor_in_f16, false)
ARMOR_IN(armor_in_bf16, true)
ARMOR(armor_f16, false)
ARMOR(armor_bf16, true)
