// The tensor-core pieces shared by the 2:4 kernels (spmm24.cu, gemv24.cu, armor.cu): the MMA
// wrappers and the decode loop that streams a 16-row tile of a 2:4 weight in the upload form of
// Layout24.java. Editing this header marks every module stale (see KernelSources).
#pragma once
#include <stdint.h>

namespace {

// A 32-bit load through the non-coherent path that does not allocate in L1: the decode kernels
// read every weight word exactly once, so caching it would only evict X.
__device__ __forceinline__ uint32_t ldg_stream(const uint32_t* p) {
    uint32_t v;
    asm volatile("ld.global.nc.L1::no_allocate.b32 %0, [%1];\n" : "=r"(v) : "l"(p));
    return v;
}

// c += A·B on the sparse tensor cores, m16n8k32: a holds the 16 x 16 compressed A fragment, b the
// 32 x 8 B fragment and e the lane's metadata word. Selector 0x0: lanes with t = lane & 3 in {0, 1}
// supply the metadata, so the word of lanes t = 2, 3 is ignored.
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

// c += A·B on the dense tensor cores, m16n8k16: the dense twins' counterpart of mma_sp.
template <bool BF16>
__device__ __forceinline__ void mma_dense(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    if (BF16) {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
            "{%0,%1,%2,%3};\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
            "{%0,%1,%2,%3};\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
}

// B fragment of k-tile kt: register i holds X[g][32kt + 8i + 2t .. +1]; zero for batch rows g >= N.
__device__ __forceinline__ void load_x(uint32_t (&b)[4], const uint32_t* xg, bool valid, int kt) {
#pragma unroll
    for (int i = 0; i < 4; i++) b[i] = valid ? __ldg(xg + kt * 16 + 4 * i) : 0u;
}

// The decode product of 16-row tile R of a 2:4 weight W with X [N <= 8, ldx] halves: this lane's
// accumulators of the m16n8k32 tile, summed over k-tiles first, first + step, ... (the caller
// splits the k-tiles among its warps and reduces their partial tiles). Lane (g, t) fetches its own
// fragments straight from global memory, with no shared staging since nothing is reused: the four
// lanes of a quad read a row's 32-byte sector whole, and lanes t = 0, 1 read the tile's 64
// contiguous metadata bytes.
template <bool BF16>
__device__ __forceinline__ void mma_sp_tile(float (&c)[4], const uint32_t* W, const uint32_t* meta,
                                            const uint32_t* X, int R, int N, int Kp, int ldx, int first, int step) {
    const int lane = threadIdx.x & 31;
    const int g = lane >> 2, t = lane & 3, KT = Kp / 32;
    const size_t rowWords = Kp / 4;  // 32-bit words per compressed row
    const uint32_t* wg = W + (size_t)(R * 16 + g) * rowWords + t;  // compressed columns 2t, 2t+1
    const uint32_t* wg8 = wg + 8 * rowWords;
    const uint32_t* mg = meta + (size_t)R * KT * 16 + 2 * g + (t & 1);
    const uint32_t* xg = X + (size_t)g * (ldx / 2) + t;
    const bool valid = g < N;
#pragma unroll 4
    for (int kt = first; kt < KT; kt += step) {
        // a0a1: row g, compressed 16kt + 2t; a2a3: row g+8; a4a5, a6a7: the same at + 8.
        uint32_t a[4] = {ldg_stream(wg + kt * 8), ldg_stream(wg8 + kt * 8), ldg_stream(wg + kt * 8 + 4),
                         ldg_stream(wg8 + kt * 8 + 4)};
        uint32_t e = ldg_stream(mg + kt * 16);
        uint32_t b[4];
        load_x(b, xg, valid, kt);
        mma_sp<BF16>(c, a, b, e);
    }
}

}  // namespace
