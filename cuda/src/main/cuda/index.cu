// Gathers and scatters along one axis. The host passes the split of the iterated shape into
// [outer, J, inner] around the axis and the source/destination axis length D; positions are
// row-major flat indices into the views. Scatters add with atomics, so the order of the
// additions into one element (and its last bits) may vary from run to run.
#include "shears.cuh"

#define GRID_STRIDE(i, n) for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
                               i += (long long) gridDim.x * blockDim.x)

// dst[o, j, i] = src[o, index[o, j, i], i]; dst (contiguous) and index have one shape.
extern "C" __global__ void gather_f32(const float* src, View sv, const int* index, View iv, int J, int inner, int D,
                                      float* dst, long long n) {
    GRID_STRIDE(f, n) {
        long long o = f / ((long long) J * inner);
        long long i = f % inner;
        long long k = index[view_at(iv, f)];
        dst[f] = src[view_at(sv, (o * D + k) * inner + i)];
    }
}

// dst[o, j, i] = src[o, index[j], i]; index is 1-D of length J.
extern "C" __global__ void index_select_f32(const float* src, View sv, const int* index, View iv, int J, int inner,
                                            int D, float* dst, long long n) {
    GRID_STRIDE(f, n) {
        long long o = f / ((long long) J * inner);
        long long j = (f / inner) % J;
        long long i = f % inner;
        long long k = index[view_at(iv, j)];
        dst[f] = src[view_at(sv, (o * D + k) * inner + i)];
    }
}

// dst[o, index[o, j, i], i] += src[o, j, i]; src and index have one shape, dst is contiguous from dstOff.
extern "C" __global__ void scatter_add_f32(float* dst, int dstOff, const int* index, View iv, const float* src,
                                           View sv, int J, int inner, int D, long long n) {
    GRID_STRIDE(f, n) {
        long long o = f / ((long long) J * inner);
        long long i = f % inner;
        long long k = index[view_at(iv, f)];
        atomicAdd(dst + dstOff + (o * D + k) * inner + i, src[view_at(sv, f)]);
    }
}

// dst[o, index[j], i] += src[o, j, i]; index is 1-D of length J.
extern "C" __global__ void index_add_f32(float* dst, int dstOff, const int* index, View iv, const float* src, View sv,
                                         int J, int inner, int D, long long n) {
    GRID_STRIDE(f, n) {
        long long o = f / ((long long) J * inner);
        long long j = (f / inner) % J;
        long long i = f % inner;
        long long k = index[view_at(iv, j)];
        atomicAdd(dst + dstOff + (o * D + k) * inner + i, src[view_at(sv, f)]);
    }
}
