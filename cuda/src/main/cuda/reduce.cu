// Row reductions: each row is `r` consecutive elements (row-major) of a strided view whose
// reduced axes were moved last on the host. One warp per row (reduce_warp_*), or one block per
// row for long rows (reduce_block_*). SUM, MAX and MIN are dev.shears.tensor.spi.ReduceOp
// ordinals 0-2; MAX/MIN propagate NaN; ARGMAX/ARGMIN (3, 4) report the first extreme, NaN
// counting as the extreme (PyTorch). Also softmax and layer norm, one warp per row.
#include "shears.cuh"

enum Reduce { SUM, MAX, MIN, ARGMAX, ARGMIN };

__device__ __forceinline__ float combine(int op, float a, float b) {
    if (op == SUM) return a + b;
    if (a != a) return a;
    if (b != b) return b;
    if (op == MAX) return (a == 0.0f && b == 0.0f) ? (signbit(a) ? b : a) : fmaxf(a, b);
    return (a == 0.0f && b == 0.0f) ? (signbit(a) ? a : b) : fminf(a, b);
}

__device__ __forceinline__ float identity(int op) {
    return op == SUM ? 0.0f : (op == MAX ? -INFINITY : INFINITY);
}

// Does (v, i) beat (w, j)? The earlier index wins ties; NaN beats everything.
__device__ __forceinline__ bool arg_better(int op, float v, int i, float w, int j) {
    bool vn = v != v;
    bool wn = w != w;
    if (vn || wn) return vn && (!wn || i < j);
    if (v == w) return i < j;
    return op == ARGMAX ? v > w : v < w;
}

__device__ __forceinline__ float warp_combine(int op, float acc) {
#pragma unroll
    for (int s = 16; s > 0; s >>= 1) acc = combine(op, acc, __shfl_xor_sync(0xffffffffu, acc, s));
    return acc;
}

__device__ __forceinline__ void warp_arg(int op, float& v, int& i) {
#pragma unroll
    for (int s = 16; s > 0; s >>= 1) {
        float w = __shfl_xor_sync(0xffffffffu, v, s);
        int j = __shfl_xor_sync(0xffffffffu, i, s);
        if (arg_better(op, w, j, v, i)) { v = w; i = j; }
    }
}

__device__ __forceinline__ double warp_sum(double acc) {
#pragma unroll
    for (int s = 16; s > 0; s >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, s);
    return acc;
}

#define WARP_ROWS(row, rows)                                                              \
    const int lane = threadIdx.x & 31;                                                    \
    const long long warps = ((long long) gridDim.x * blockDim.x) >> 5;                    \
    for (long long row = ((long long) blockIdx.x * blockDim.x + threadIdx.x) >> 5; row < (rows); row += warps)

extern "C" __global__ void reduce_warp_f32(int op, const float* x, View xv, long long rows, int r, float* out) {
    WARP_ROWS(row, rows) {
        float acc = identity(op);
        for (int j = lane; j < r; j += 32) acc = combine(op, acc, x[view_at(xv, row * r + j)]);
        acc = warp_combine(op, acc);
        if (lane == 0) out[row] = acc;
    }
}

// One block (a multiple of 32 threads, at most 1024) per row.
extern "C" __global__ void reduce_block_f32(int op, const float* x, View xv, long long rows, int r, float* out) {
    __shared__ float partial[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        float acc = identity(op);
        for (int j = threadIdx.x; j < r; j += blockDim.x) acc = combine(op, acc, x[view_at(xv, row * r + j)]);
        acc = warp_combine(op, acc);
        if (lane == 0) partial[warp] = acc;
        __syncthreads();
        if (warp == 0) {
            acc = lane < (int) (blockDim.x >> 5) ? partial[lane] : identity(op);
            acc = warp_combine(op, acc);
            if (lane == 0) out[row] = acc;
        }
        __syncthreads();
    }
}

extern "C" __global__ void arg_reduce_f32(int op, const float* x, View xv, long long rows, int r, int* out) {
    WARP_ROWS(row, rows) {
        float best = op == ARGMAX ? -INFINITY : INFINITY;
        int at = 0x7fffffff;
        for (int j = lane; j < r; j += 32) {
            float v = x[view_at(xv, row * r + j)];
            if (arg_better(op, v, j, best, at)) { best = v; at = j; }
        }
        warp_arg(op, best, at);
        if (lane == 0) out[row] = at;
    }
}

// Softmax along the last axis of the view ([rows, r] after moving the axis last on the host);
// row = o·inner + i writes dst[o, j, i] of the contiguous [outer, r, inner] result.
extern "C" __global__ void softmax_f32(const float* x, View xv, long long rows, int r, int inner, int log, float* dst) {
    WARP_ROWS(row, rows) {
        long long base = (row / inner) * (long long) r * inner + row % inner;
        float mx = -INFINITY;
        for (int j = lane; j < r; j += 32) mx = combine(MAX, mx, x[view_at(xv, row * r + j)]);
        mx = warp_combine(MAX, mx);
        float sum = 0.0f;
        for (int j = lane; j < r; j += 32) sum += expf(x[view_at(xv, row * r + j)] - mx);
        sum = warp_combine(SUM, sum);
        float logSum = logf(sum);
        for (int j = lane; j < r; j += 32) {
            float v = x[view_at(xv, row * r + j)] - mx;
            dst[base + (long long) j * inner] = log ? v - logSum : expf(v) / sum;
        }
    }
}

// Layer norm over rows of n (row-major in the view); statistics in double, as the CPU reference.
extern "C" __global__ void layer_norm_f32(const float* x, View xv, long long rows, int n, const float* w,
                                          const float* b, float eps, float* y, float* mean, float* rstd) {
    WARP_ROWS(row, rows) {
        double mu = 0.0;
        for (int j = lane; j < n; j += 32) mu += x[view_at(xv, row * n + j)];
        mu = warp_sum(mu) / n;
        double var = 0.0;
        for (int j = lane; j < n; j += 32) {
            double c = x[view_at(xv, row * n + j)] - mu;
            var += c * c;
        }
        var = warp_sum(var) / n;
        double rs = 1.0 / sqrt(var + eps);
        for (int j = lane; j < n; j += 32) {
            double v = (x[view_at(xv, row * n + j)] - mu) * rs;
            y[row * n + j] = (float) (v * (w == nullptr ? 1.0f : w[j]) + (b == nullptr ? 0.0f : b[j]));
        }
        if (lane == 0) {
            mean[row] = (float) mu;
            rstd[row] = (float) rs;
        }
    }
}

// dx = rstd·(g·w - mean(g·w) - x̂·mean(g·w·x̂)) per row, into contiguous dx.
extern "C" __global__ void layer_norm_dx_f32(const float* g, View gv, const float* x, View xv, long long rows, int n,
                                             const float* w, const float* mean, const float* rstd, float* dx) {
    WARP_ROWS(row, rows) {
        double mu = mean[row];
        double rs = rstd[row];
        double a = 0.0;
        double c = 0.0;
        for (int j = lane; j < n; j += 32) {
            double xh = (x[view_at(xv, row * n + j)] - mu) * rs;
            double gx = (double) g[view_at(gv, row * n + j)] * (w == nullptr ? 1.0f : w[j]);
            a += gx;
            c += gx * xh;
        }
        a = warp_sum(a);
        c = warp_sum(c);
        for (int j = lane; j < n; j += 32) {
            double xh = (x[view_at(xv, row * n + j)] - mu) * rs;
            double gx = (double) g[view_at(gv, row * n + j)] * (w == nullptr ? 1.0f : w[j]);
            dx[row * n + j] = (float) (rs * (gx - a / n - xh * c / n));
        }
    }
}

// dWeight[j] = Σ_rows g·x̂ and dBias[j] = Σ_rows g, one thread per column (either may be null).
extern "C" __global__ void layer_norm_dwb_f32(const float* g, View gv, const float* x, View xv, long long rows, int n,
                                              const float* mean, const float* rstd, float* dw, float* db) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= n) return;
    double sw = 0.0;
    double sb = 0.0;
    for (long long row = 0; row < rows; row++) {
        double gv_ = g[view_at(gv, row * n + j)];
        sw += gv_ * ((x[view_at(xv, row * n + j)] - (double) mean[row]) * rstd[row]);
        sb += gv_;
    }
    if (dw != nullptr) dw[j] = (float) sw;
    if (db != nullptr) db[j] = (float) sb;
}
