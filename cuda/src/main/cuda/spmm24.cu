// 2:4 sparse x dense GEMM on the sparse tensor cores (mma.sp m16n8k32), and its dense twin
// (mma.sync m16n8k16) with the same tiling, so that their ratio isolates the sparse gain
// (kernels.md §4 G2).
//
//   Y[n, m] = sum_k X[n, k] * W[m, k]   (a linear layer: Y = X · Wᵀ), fp32 accumulate and output.
//
// W is the upload form of Layout24.java: compressed halves [Mp, Kp/2] row-major and thread-ordered
// metadata, word (R * Kp/32 + kt) * 16 + 2g + t of tile (R, kt) for lane (g, t). The twin reads a
// dense W [Mp, Kp]. X is [N, ldx] halves, columns K..Kp-1 zero. Mp = M rounded up to 16, Kp a
// multiple of 64.
//
// Tiling: a CTA computes a 128 (m) x 128 (n) block of Yᵀ with 8 warps (2 along m, 4 along n), each
// a 64 x 32 warp tile = 4 x 4 MMA tiles. K advances 64 dense columns per stage, 3 stages deep,
// filled by cp.async. Shared rows are XOR-swizzled so that every ldmatrix phase hits 8 distinct
// 16-byte bank groups. Rows and batch entries past the end are clamped to the last valid one on
// load (their results are never stored), so no load is out of bounds.
// The Java model in Spmm24KernelModelTest mirrors every index expression of this file.
#include <cuda_fp16.h>
#include <stdint.h>

#include "sparse24.cuh"

namespace {

constexpr int BM = 128, BN = 128, BK = 64, STAGES = 3, THREADS = 256;
constexpr int WARPS_N = 4, WM = 64, WN = 32, MI = WM / 16, NI = WN / 8;
// Per stage, in halves (A, B) and words (metadata).
constexpr int SPARSE_A = BM * BK / 2;            // 64-byte rows of 32 compressed halves
constexpr int META = BM / 16 * (BK / 32) * 16;   // 8 tile rows x 2 k-tiles x 16 words
constexpr int DENSE_A = BM * BK;                 // 128-byte rows
constexpr int B_TILE = BN * BK;                  // 128-byte rows
constexpr int SPARSE_STAGE_BYTES = SPARSE_A * 2 + META * 4 + B_TILE * 2;
constexpr int DENSE_STAGE_BYTES = DENSE_A * 2 + B_TILE * 2;

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void cp_async16(void* dst, const void* src) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(smem_addr(dst)), "l"(src));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_addr(p)));
}

// Half offset of 16-byte chunk `ch` of row `row` in a 64-byte-row tile (compressed A).
__device__ __forceinline__ int swz64(int row, int ch) { return row * 32 + ((ch ^ ((row >> 1) & 3)) << 3); }
// Half offset of 16-byte chunk `ch` of row `row` in a 128-byte-row tile (dense A, B).
__device__ __forceinline__ int swz128(int row, int ch) { return row * 64 + ((ch ^ (row & 7)) << 3); }

// Rows r0..r0+127 of a row-major 16-bit G [rows, ld] (X, or the twin's dense W), dense columns
// 64kb..64kb+63, into a 128-byte-row tile: 4 chunks per thread. Rows past the end are clamped.
__device__ __forceinline__ void load_rows128(uint16_t* s, const uint16_t* G, int r0, int rows, int ld, int kb,
                                             int tid) {
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int c = tid + i * THREADS;
        int row = c >> 3, ch = c & 7;
        int r = min(r0 + row, rows - 1);
        cp_async16(s + swz128(row, ch), G + (size_t)r * ld + kb * BK + ch * 8);
    }
}

__device__ __forceinline__ void load_sparse_stage(unsigned char* stage, const uint16_t* W, const uint32_t* meta,
                                                  const uint16_t* X, int m0, int n0, int kb, int Mp, int N, int Kp,
                                                  int ldx, int tid) {
    uint16_t* sA = reinterpret_cast<uint16_t*>(stage);
    uint32_t* sM = reinterpret_cast<uint32_t*>(stage + SPARSE_A * 2);
    uint16_t* sB = reinterpret_cast<uint16_t*>(stage + SPARSE_A * 2 + META * 4);
#pragma unroll
    for (int i = 0; i < 2; i++) {  // 128 rows x 4 chunks of compressed values
        int c = tid + i * THREADS;
        int row = c >> 2, ch = c & 3;
        int m = min(m0 + row, Mp - 1);
        cp_async16(sA + swz64(row, ch), W + (size_t)m * (Kp / 2) + kb * (BK / 2) + ch * 8);
    }
    if (tid < 64) {  // 8 tile rows x the 128 contiguous bytes of k-tiles 2kb and 2kb+1
        int tr = tid >> 3, part = tid & 7;
        int gtr = min(m0 / 16 + tr, Mp / 16 - 1);
        cp_async16(sM + tr * 32 + part * 4, meta + ((size_t)gtr * (Kp / 32) + 2 * kb) * 16 + part * 4);
    }
    load_rows128(sB, X, n0, N, ldx, kb, tid);
}

__device__ __forceinline__ void load_dense_stage(unsigned char* stage, const uint16_t* W, const uint16_t* X, int m0,
                                                 int n0, int kb, int Mp, int N, int Kp, int ldx, int tid) {
    uint16_t* sA = reinterpret_cast<uint16_t*>(stage);
    uint16_t* sB = reinterpret_cast<uint16_t*>(stage + DENSE_A * 2);
    load_rows128(sA, W, m0, Mp, Kp, kb, tid);
    load_rows128(sB, X, n0, N, ldx, kb, tid);
}

template <bool BF16>
__device__ __forceinline__ void compute_sparse_stage(const unsigned char* stage, float (&acc)[MI][NI][4], int wm,
                                                     int wn, int lane) {
    const uint16_t* sA = reinterpret_cast<const uint16_t*>(stage);
    const uint32_t* sM = reinterpret_cast<const uint32_t*>(stage + SPARSE_A * 2);
    const uint16_t* sB = reinterpret_cast<const uint16_t*>(stage + SPARSE_A * 2 + META * 4);
#pragma unroll
    for (int ks = 0; ks < BK / 32; ks++) {
        uint32_t a[MI][4], b[NI][4], e[MI];
#pragma unroll
        for (int mi = 0; mi < MI; mi++) {
            int row = wm * WM + mi * 16 + (lane & 7) + ((lane >> 3) & 1) * 8;
            ldmatrix_x4(a[mi], sA + swz64(row, ks * 2 + (lane >> 4)));
            // Lanes with t = lane & 3 in {0, 1} own the metadata (selector 0); the others' word is unused.
            e[mi] = sM[(wm * MI + mi) * 32 + ks * 16 + 2 * (lane >> 2) + (lane & 1)];
        }
#pragma unroll
        for (int ni = 0; ni < NI; ni++) {
            int row = wn * WN + ni * 8 + (lane & 7);
            ldmatrix_x4(b[ni], sB + swz128(row, ks * 4 + (lane >> 3)));
        }
#pragma unroll
        for (int mi = 0; mi < MI; mi++)
#pragma unroll
            for (int ni = 0; ni < NI; ni++) mma_sp<BF16>(acc[mi][ni], a[mi], b[ni], e[mi]);
    }
}

template <bool BF16>
__device__ __forceinline__ void compute_dense_stage(const unsigned char* stage, float (&acc)[MI][NI][4], int wm,
                                                    int wn, int lane) {
    const uint16_t* sA = reinterpret_cast<const uint16_t*>(stage);
    const uint16_t* sB = reinterpret_cast<const uint16_t*>(stage + DENSE_A * 2);
#pragma unroll
    for (int ks = 0; ks < BK / 16; ks++) {
        uint32_t a[MI][4], b[NI][2];
#pragma unroll
        for (int mi = 0; mi < MI; mi++) {
            int row = wm * WM + mi * 16 + (lane & 7) + ((lane >> 3) & 1) * 8;
            ldmatrix_x4(a[mi], sA + swz128(row, ks * 2 + (lane >> 4)));
        }
#pragma unroll
        for (int nj = 0; nj < NI / 2; nj++) {  // two n-tiles per ldmatrix.x4: (k 0-7, k 8-15) each
            uint32_t r[4];
            int row = wn * WN + (2 * nj + ((lane >> 4) & 1)) * 8 + (lane & 7);
            ldmatrix_x4(r, sB + swz128(row, ks * 2 + ((lane >> 3) & 1)));
            b[2 * nj][0] = r[0];
            b[2 * nj][1] = r[1];
            b[2 * nj + 1][0] = r[2];
            b[2 * nj + 1][1] = r[3];
        }
#pragma unroll
        for (int mi = 0; mi < MI; mi++)
#pragma unroll
            for (int ni = 0; ni < NI; ni++) mma_dense<BF16>(acc[mi][ni], a[mi], b[ni][0], b[ni][1]);
    }
}

// c0, c1 at (row g, columns 2t, 2t+1); c2, c3 at row g + 8: rows are m, columns n, stored to Y[n, m].
__device__ __forceinline__ void store_tile(float* Y, const float (&acc)[MI][NI][4], int m0, int n0, int wm, int wn,
                                           int lane, int M, int N, int ldy) {
#pragma unroll
    for (int mi = 0; mi < MI; mi++)
#pragma unroll
        for (int ni = 0; ni < NI; ni++)
#pragma unroll
            for (int i = 0; i < 4; i++) {
                int m = m0 + wm * WM + mi * 16 + (lane >> 2) + (i >> 1) * 8;
                int n = n0 + wn * WN + ni * 8 + 2 * (lane & 3) + (i & 1);
                if (m < M && n < N) Y[(size_t)n * ldy + m] = acc[mi][ni][i];
            }
}

template <bool SPARSE, bool BF16>
__device__ __forceinline__ void gemm(const uint16_t* W, const uint32_t* meta, const uint16_t* X, float* Y, int M,
                                     int N, int Kp, int ldx, int ldy) {
    extern __shared__ __align__(128) unsigned char smem[];
    constexpr int STAGE = SPARSE ? SPARSE_STAGE_BYTES : DENSE_STAGE_BYTES;
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int wm = warp / WARPS_N, wn = warp % WARPS_N;
    const int m0 = blockIdx.x * BM, n0 = blockIdx.y * BN;
    const int Mp = (M + 15) & ~15, KB = Kp / BK;
    float acc[MI][NI][4] = {};

    auto load = [&](int kb) {
        unsigned char* stage = smem + (kb % STAGES) * STAGE;
        if (SPARSE) load_sparse_stage(stage, W, meta, X, m0, n0, kb, Mp, N, Kp, ldx, tid);
        else load_dense_stage(stage, W, X, m0, n0, kb, Mp, N, Kp, ldx, tid);
    };
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < KB) load(s);
        cp_async_commit();
    }
    for (int kb = 0; kb < KB; kb++) {
        cp_async_wait<STAGES - 2>();
        __syncthreads();  // stage kb landed for every thread; stage kb-1 is free to refill
        if (kb + STAGES - 1 < KB) load(kb + STAGES - 1);
        cp_async_commit();
        const unsigned char* stage = smem + (kb % STAGES) * STAGE;
        if (SPARSE) compute_sparse_stage<BF16>(stage, acc, wm, wn, lane);
        else compute_dense_stage<BF16>(stage, acc, wm, wn, lane);
    }
    store_tile(Y, acc, m0, n0, wm, wn, lane, M, N, ldy);
}

}  // namespace

// Launch: grid (ceil(M / 128), ceil(N / 128)), 256 threads, 3 * 25,600 bytes of dynamic shared memory.
#define SPMM24(NAME, BF)                                                                                   \
    extern "C" __global__ void __launch_bounds__(THREADS) NAME(const uint16_t* W, const uint32_t* meta,   \
                                                               const uint16_t* X, float* Y, int M, int N, \
                                                               int Kp, int ldx, int ldy) {                \
        gemm<true, BF>(W, meta, X, Y, M, N, Kp, ldx, ldy);                                                 \
    }
// Launch: as spmm24, with 3 * 32,768 bytes of dynamic shared memory; W dense [Mp, Kp].
#define GEMM_TWIN(NAME, BF)                                                                                \
    extern "C" __global__ void __launch_bounds__(THREADS) NAME(const uint16_t* W, const uint16_t* X,      \
                                                               float* Y, int M, int N, int Kp, int ldx,   \
                                                               int ldy) {                                 \
        gemm<false, BF>(W, nullptr, X, Y, M, N, Kp, ldx, ldy);                                             \
    }

SPMM24(spmm24_f16, false)
SPMM24(spmm24_bf16, true)
GEMM_TWIN(gemm_twin_f16, false)
GEMM_TWIN(gemm_twin_bf16, true)
