// Dense matrix products.
//  sgemm_f32: batched C[b] = A[b]·B[b] in F32 over arbitrary strided views (transposes and
//    stride-0 batch broadcast read in place), C contiguous [batch, m, n]. A plain 64×64 tile.
//  hgemm_nt_f16 / hgemm_nt_bf16: C[M, N] (F32, row-major) = A[M, K]·B[N, K]ᵀ, A and B row-major
//    16-bit (the x·Wᵀ of a linear layer), on the tensor cores with mma.sync.m16n8k16 and F32
//    accumulation. K must be a multiple of 8 (16-byte rows for cp.async); M and N are free.
#include "shears.cuh"

// ---- F32 -------------------------------------------------------------------------------------

#define SG_TILE 64
#define SG_BK 16

extern "C" __global__ void __launch_bounds__(256) sgemm_f32(
        const float* A, int aOff, int sab, int sam, int sak,
        const float* B, int bOff, int sbb, int sbk, int sbn,
        float* C, int batch, int M, int N, int K) {
    __shared__ float As[SG_BK][SG_TILE + 1];
    __shared__ float Bs[SG_BK][SG_TILE + 1];
    const int tid = threadIdx.x;
    const int tx = tid & 15;
    const int ty = tid >> 4;
    const int m0 = blockIdx.y * SG_TILE;
    const int n0 = blockIdx.x * SG_TILE;
    for (int b = blockIdx.z; b < batch; b += gridDim.z) {
        const float* a = A + aOff + (long long) b * sab;
        const float* bb = B + bOff + (long long) b * sbb;
        float acc[4][4] = {};
        for (int k0 = 0; k0 < K; k0 += SG_BK) {
#pragma unroll
            for (int q = 0; q < 4; q++) {
                int e = tid + q * 256;
                int r = e >> 4, kk = e & 15;  // A tile: 64 rows × 16 k
                int gm = m0 + r, gk = k0 + kk;
                As[kk][r] = (gm < M && gk < K) ? a[(long long) gm * sam + (long long) gk * sak] : 0.0f;
                int kb = e >> 6, c = e & 63;  // B tile: 16 k × 64 cols
                int gkb = k0 + kb, gn = n0 + c;
                Bs[kb][c] = (gkb < K && gn < N) ? bb[(long long) gkb * sbk + (long long) gn * sbn] : 0.0f;
            }
            __syncthreads();
#pragma unroll
            for (int kk = 0; kk < SG_BK; kk++) {
                float av[4], bv[4];
#pragma unroll
                for (int i = 0; i < 4; i++) av[i] = As[kk][ty + 16 * i];
#pragma unroll
                for (int j = 0; j < 4; j++) bv[j] = Bs[kk][tx + 16 * j];
#pragma unroll
                for (int i = 0; i < 4; i++)
#pragma unroll
                    for (int j = 0; j < 4; j++) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
            }
            __syncthreads();
        }
        float* c = C + (long long) b * M * N;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int gm = m0 + ty + 16 * i;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int gn = n0 + tx + 16 * j;
                if (gm < M && gn < N) c[(long long) gm * N + gn] = acc[i][j];
            }
        }
    }
}

// ---- tensor cores ----------------------------------------------------------------------------

#define HG_BM 128
#define HG_BN 256
#define HG_BK 32
#define HG_STAGES 4
#define HG_THREADS 256
// Dynamic shared memory: HG_STAGES·(HG_BM + HG_BN)·HG_BK 16-bit values = 96 KiB (the host raises
// the kernel's limit above the default 48 KiB).

// Rows of HG_BK = 32 values are four 16-byte chunks; chunk c of row r is stored at chunk
// c ^ ((r >> 1) & 3), so the 8 rows one ldmatrix phase reads land in 8 distinct bank groups.
__device__ __forceinline__ int swizzle(int row, int chunk) { return row * 4 + (chunk ^ ((row >> 1) & 3)); }

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, int srcBytes) {
    unsigned s = (unsigned) __cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(srcBytes));
}

__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void* smem) {
    unsigned s = (unsigned) __cvta_generic_to_shared(smem);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(s));
}

template <bool BF16>
__device__ __forceinline__ void mma16816(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    if (BF16) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                     "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                     "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
}

// Rows r0 .. r0 + ROWS - 1, columns k0 .. k0 + 31 of a row-major [rows, K] 16-bit matrix into a
// stage; rows or k past the matrix are zero-filled (cp.async with 0 source bytes, from a valid address).
template <int ROWS>
__device__ __forceinline__ void load_rows(uint4* s, const uint16_t* G, int rows, int K, int r0, int k0, int tid) {
#pragma unroll
    for (int q = 0; q < ROWS * 4 / HG_THREADS; q++) {
        int c = tid + q * HG_THREADS;
        int row = c >> 2, ch = c & 3;
        int gr = r0 + row, gk = k0 + ch * 8;
        bool ok = gr < rows && gk < K;
        cp_async16(s + swizzle(row, ch), ok ? G + (long long) gr * K + gk : G, ok ? 16 : 0);
    }
}

// One k-tile of A (HG_BM rows) and B (HG_BN rows) from global into a stage.
__device__ __forceinline__ void load_tile(uint4* sA, uint4* sB, const uint16_t* A, const uint16_t* B, int M, int N,
                                          int K, int m0, int n0, int k0, int tid) {
    load_rows<HG_BM>(sA, A, M, K, m0, k0, tid);
    load_rows<HG_BN>(sB, B, N, K, n0, k0, tid);
}

// 8 warps as 2 (M) × 4 (N), each owning a 64×64 tile: 4×8 mma tiles, 128 F32 accumulators a thread.
template <bool BF16>
__device__ __forceinline__ void hgemm_nt(const uint16_t* A, const uint16_t* B, float* C, int M, int N, int K) {
    extern __shared__ uint4 smem[];
    uint4* sA = smem;
    uint4* sB = smem + HG_STAGES * HG_BM * 4;
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int wm = warp >> 2;
    const int wn = warp & 3;
    const int m0 = blockIdx.y * HG_BM;
    const int n0 = blockIdx.x * HG_BN;
    const int kTiles = (K + HG_BK - 1) / HG_BK;

    float acc[4][8][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 8; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) acc[i][j][e] = 0.0f;

#pragma unroll
    for (int s = 0; s < HG_STAGES - 1; s++) {
        if (s < kTiles) load_tile(sA + s * HG_BM * 4, sB + s * HG_BN * 4, A, B, M, N, K, m0, n0, s * HG_BK, tid);
        asm volatile("cp.async.commit_group;\n" ::);
    }

    for (int kt = 0; kt < kTiles; kt++) {
        asm volatile("cp.async.wait_group %0;\n" ::"n"(HG_STAGES - 2));
        __syncthreads();  // stage kt has landed, and every warp is done with the stage refilled below
        int next = kt + HG_STAGES - 1;
        if (next < kTiles) {
            int s = next % HG_STAGES;
            load_tile(sA + s * HG_BM * 4, sB + s * HG_BN * 4, A, B, M, N, K, m0, n0, next * HG_BK, tid);
        }
        asm volatile("cp.async.commit_group;\n" ::);  // empty groups keep the wait count uniform

        const uint4* a = sA + (kt % HG_STAGES) * HG_BM * 4;
        const uint4* b = sB + (kt % HG_STAGES) * HG_BN * 4;
#pragma unroll
        for (int kk = 0; kk < HG_BK / 16; kk++) {
            unsigned af[4][4];
            unsigned bf[8][2];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                // matrices: rows 0-7/8-15 × k 0-7, then × k 8-15 (the mma A fragment order)
                int row = wm * 64 + i * 16 + (lane & 15);
                ldmatrix_x4(af[i], a + swizzle(row, kk * 2 + (lane >> 4)));
            }
#pragma unroll
            for (int j = 0; j < 4; j++) {
                // matrices: n 0-7 × k 0-7, n 0-7 × k 8-15, n 8-15 × k 0-7, n 8-15 × k 8-15
                int mat = lane >> 3;
                int row = wn * 64 + j * 16 + ((mat >> 1) << 3) + (lane & 7);
                unsigned r[4];
                ldmatrix_x4(r, b + swizzle(row, kk * 2 + (mat & 1)));
                bf[2 * j][0] = r[0];
                bf[2 * j][1] = r[1];
                bf[2 * j + 1][0] = r[2];
                bf[2 * j + 1][1] = r[3];
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) mma16816<BF16>(acc[i][j], af[i], bf[j][0], bf[j][1]);
        }
    }
    asm volatile("cp.async.wait_group 0;\n" ::);

    // Accumulator e of tile (i, j): row (lane / 4) + 8·(e / 2), column 2·(lane % 4) + e % 2.
    const bool pairs = (N & 1) == 0;
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int col = n0 + wn * 64 + j * 8 + (lane & 3) * 2;
#pragma unroll
            for (int h = 0; h < 2; h++) {
                int row = m0 + wm * 64 + i * 16 + (lane >> 2) + h * 8;
                if (row >= M) continue;
                float* c = C + (long long) row * N + col;
                if (pairs && col + 1 < N) {
                    *reinterpret_cast<float2*>(c) = make_float2(acc[i][j][2 * h], acc[i][j][2 * h + 1]);
                } else {
                    if (col < N) c[0] = acc[i][j][2 * h];
                    if (col + 1 < N) c[1] = acc[i][j][2 * h + 1];
                }
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(HG_THREADS, 1) hgemm_nt_f16(const uint16_t* A, const uint16_t* B,
                                                                          float* C, int M, int N, int K) {
    hgemm_nt<false>(A, B, C, M, N, K);
}

extern "C" __global__ void __launch_bounds__(HG_THREADS, 1) hgemm_nt_bf16(const uint16_t* A, const uint16_t* B,
                                                                           float* C, int M, int N, int K) {
    hgemm_nt<true>(A, B, C, M, N, K);
}
