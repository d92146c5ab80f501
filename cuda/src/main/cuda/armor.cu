// The fused ARMOR product for decode (batch 1..8): y = A · ((V ⊙ M) · (B · x)) per batch entry,
//   Y[n, :] = X[n, :] · (A · S · B)ᵀ,   A [M, M] and B [K, K] block-diagonal (block size b), S 2:4.
//
// armor_in: U = X · Bᵀ as 16-bit halves [N, ldu], columns K..ldu-1 written as zeros, so U is the
//   B operand of the 2:4 tensor-core product (X [N, ldx] halves in, fp32 accumulate).
// armor: one CTA per diagonal block of A (b output rows = b/16 tiles of S). Its 8 warps split the
//   tiles and their k-tiles as gemv24.cu does, sum S·U for the b rows in shared memory and apply
//   A's block there, so the 2:4 core is read once and V never goes through global memory.
//   b in {16, 32, 64, 128}; M a multiple of b; S in the upload form of Layout24.java.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace {

constexpr int WARPS = 8, BATCH = 8, MAX_BLOCK = 128;

template <bool BF16>
__device__ __forceinline__ float to_float(uint16_t bits) {
    if (BF16) return __uint_as_float(static_cast<uint32_t>(bits) << 16);
    return __half2float(__ushort_as_half(bits));
}

template <bool BF16>
__device__ __forceinline__ uint16_t from_float(float f) {
    if (BF16) return __bfloat16_as_ushort(__float2bfloat16_rn(f));
    return __half_as_ushort(__float2half_rn(f));
}

__device__ __forceinline__ uint32_t ldg_stream(const uint32_t* p) {
    uint32_t v;
    asm volatile("ld.global.nc.L1::no_allocate.b32 %0, [%1];\n" : "=r"(v) : "l"(p));
    return v;
}

template <bool BF16>
__device__ __forceinline__ void mma_sp(float (&c)[4], const uint32_t (&a)[4], const uint32_t (&b)[4], uint32_t e) {
    if (BF16) {
        asm volatile(
            "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32 "
            "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, 0x0;\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e));
    } else {
        asm volatile(
            "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.f16.f16.f32 "
            "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, 0x0;\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e));
    }
}

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
    const int g = lane >> 2, t = lane & 3, KT = Kp / 32;
    const int tiles = b / 16, perTile = WARPS / tiles;  // warps per 16-row tile of S
    const int R = blockIdx.x * tiles + warp / perTile;
    const size_t rowWords = Kp / 4;
    const uint32_t* wg = S + (size_t)(R * 16 + g) * rowWords + t;
    const uint32_t* wg8 = wg + 8 * rowWords;
    const uint32_t* mg = meta + (size_t)R * KT * 16 + 2 * g + (t & 1);
    const uint32_t* xg = U + (size_t)g * (ldu / 2) + t;
    const bool valid = g < N;
    float c[4] = {};
#pragma unroll 4
    for (int kt = warp % perTile; kt < KT; kt += perTile) {
        uint32_t a[4] = {ldg_stream(wg + kt * 8), ldg_stream(wg8 + kt * 8), ldg_stream(wg + kt * 8 + 4),
                         ldg_stream(wg8 + kt * 8 + 4)};
        uint32_t e = ldg_stream(mg + kt * 16);
        uint32_t x[4];
#pragma unroll
        for (int i = 0; i < 4; i++) x[i] = valid ? __ldg(xg + kt * 16 + 4 * i) : 0u;
        mma_sp<BF16>(c, a, x, e);
    }
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
