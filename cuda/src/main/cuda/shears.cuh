// Shared by the dense kernels: the strided-view descriptor and dtype conversions.
// Editing this header marks every module stale (see KernelSources), so keep it small.
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

#define SHEARS_MAX_RANK 8

// A strided view, passed by value; mirrors dev.shears.cuda.View (int[19]).
// Element i (row-major over shape) lives at offset + sum(coord[d] * stride[d]).
struct View {
    int rank;
    int offset;
    int contiguous;  // 1: element i is at offset + i (skips the division chain)
    int shape[SHEARS_MAX_RANK];
    int stride[SHEARS_MAX_RANK];
};

__device__ __forceinline__ long long view_at(const View& v, long long i) {
    if (v.contiguous) {
        return v.offset + i;
    }
    long long off = v.offset;
#pragma unroll
    for (int d = SHEARS_MAX_RANK - 1; d >= 0; --d) {
        if (d < v.rank) {
            long long s = v.shape[d];
            long long q = i / s;
            off += (i - q * s) * v.stride[d];
            i = q;
        }
    }
    return off;
}

// dev.shears.tensor.DType ordinals.
enum DTypeCode { DT_F32 = 0, DT_I32 = 1, DT_U8 = 2, DT_F16 = 3, DT_BF16 = 4 };

__device__ __forceinline__ float load_as_float(const void* p, int dtype, long long at) {
    switch (dtype) {
        case DT_F32: return ((const float*) p)[at];
        case DT_I32: return (float) ((const int*) p)[at];
        case DT_U8: return (float) ((const uint8_t*) p)[at];
        case DT_F16: return __half2float(((const __half*) p)[at]);
        default: return __bfloat162float(((const __nv_bfloat16*) p)[at]);
    }
}

// Float to int as a Java cast: truncation toward zero, NaN to 0, saturating at the int range.
__device__ __forceinline__ int java_f2i(float x) {
    if (x != x) return 0;
    if (x >= 2147483648.0f) return 2147483647;
    if (x <= -2147483648.0f) return (int) 0x80000000;
    return (int) x;
}

__device__ __forceinline__ int load_as_int(const void* p, int dtype, long long at) {
    switch (dtype) {
        case DT_I32: return ((const int*) p)[at];
        case DT_U8: return ((const uint8_t*) p)[at];
        default: return java_f2i(load_as_float(p, dtype, at));
    }
}
