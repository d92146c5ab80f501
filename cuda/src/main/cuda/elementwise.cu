// Element-wise kernels over strided views (broadcast = stride 0), F32 unless named otherwise.
// Op codes are the ordinals of dev.shears.tensor.spi.{UnaryOp, BinaryOp, CompareOp}.
// Float semantics follow the CPU backend: Java's NaN rules for max/min/relu, pow in double.
#include "shears.cuh"

#define GRID_STRIDE(i, n) for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
                               i += (long long) gridDim.x * blockDim.x)

enum Unary { NEG, ABS, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, GELU_TANH, GELU_ERF, SILU, SQUARE, RECIPROCAL,
             POW, CLAMP };
enum Binary { ADD, SUB, MUL, DIV, MAX, MIN, BPOW };
enum Compare { EQ, NE, LT, LE, GT, GE };

#define GELU_CUBIC 0.044715f
#define SQRT_2_OVER_PI 0.7978845608028654f
#define INV_SQRT_2 0.7071067811865476f
#define INV_SQRT_2PI 0.3989422804014327f

// Java's Math.max/min: NaN wins, and +0 > -0.
__device__ __forceinline__ float java_max(float x, float y) {
    if (x != x) return x;
    if (y != y) return y;
    if (x == 0.0f && y == 0.0f) return signbit(x) ? y : x;
    return x > y ? x : y;
}

__device__ __forceinline__ float java_min(float x, float y) {
    if (x != x) return x;
    if (y != y) return y;
    if (x == 0.0f && y == 0.0f) return signbit(x) ? x : y;
    return x < y ? x : y;
}

__device__ __forceinline__ float sigmoid(float x) { return 1.0f / (expf(-x) + 1.0f); }

__device__ __forceinline__ float gelu_cdf(float x) { return (erff(x * INV_SQRT_2) + 1.0f) * 0.5f; }

__device__ __forceinline__ float apply_unary(int op, float x, float p0, float p1) {
    switch (op) {
        case NEG: return -x;
        case ABS: return fabsf(x);
        case EXP: return expf(x);
        case LOG: return logf(x);
        case SQRT: return sqrtf(x);
        case RSQRT: return (float) (1.0 / sqrt((double) x));
        case TANH: return tanhf(x);
        case SIGMOID: return sigmoid(x);
        case RELU: return x > 0.0f ? x : (x == x ? 0.0f : x);
        case GELU_TANH: return (tanhf((x * x * x * GELU_CUBIC + x) * SQRT_2_OVER_PI) + 1.0f) * x * 0.5f;
        case GELU_ERF: return gelu_cdf(x) * x;
        case SILU: return x * sigmoid(x);
        case SQUARE: return x * x;
        case RECIPROCAL: return 1.0f / x;
        case POW: return (float) pow((double) x, (double) p0);
        default: return java_min(java_max(x, p0), p1);  // CLAMP
    }
}

// d/dx of GELU_ERF, GELU_TANH and SILU, times g.
__device__ __forceinline__ float apply_unary_grad(int op, float x, float g) {
    switch (op) {
        case GELU_ERF: return g * (x * (expf(x * x * -0.5f) * INV_SQRT_2PI) + gelu_cdf(x));
        case GELU_TANH: {
            float x2 = x * x;
            float t = tanhf((x2 * x * GELU_CUBIC + x) * SQRT_2_OVER_PI);
            float du = (x2 * (3.0f * GELU_CUBIC) + 1.0f) * SQRT_2_OVER_PI;
            return g * ((t + 1.0f) * 0.5f + x * 0.5f * (1.0f - t * t) * du);
        }
        default: {  // SILU
            float s = sigmoid(x);
            return g * ((x * (1.0f - s) + 1.0f) * s);
        }
    }
}

__device__ __forceinline__ float apply_binary(int op, float x, float y) {
    switch (op) {
        case ADD: return x + y;
        case SUB: return x - y;
        case MUL: return x * y;
        case DIV: return x / y;
        case MAX: return java_max(x, y);
        case MIN: return java_min(x, y);
        default: return (float) pow((double) x, (double) y);
    }
}

__device__ __forceinline__ bool apply_compare(int op, float x, float y) {
    switch (op) {
        case EQ: return x == y;
        case NE: return x != y;
        case LT: return x < y;
        case LE: return x <= y;
        case GT: return x > y;
        default: return x >= y;
    }
}

extern "C" __global__ void unary_f32(int op, float p0, float p1, const float* x, View xv, float* y, View yv,
                                     long long n) {
    GRID_STRIDE(i, n) { y[view_at(yv, i)] = apply_unary(op, x[view_at(xv, i)], p0, p1); }
}

extern "C" __global__ void unary_grad_f32(int op, const float* x, View xv, const float* g, View gv, float* d, View dv,
                                          long long n) {
    GRID_STRIDE(i, n) { d[view_at(dv, i)] = apply_unary_grad(op, x[view_at(xv, i)], g[view_at(gv, i)]); }
}

// y = GELU(x) with the bits of unary_f32(GELU_ERF); cdf keeps Phi(x). y and cdf contiguous.
extern "C" __global__ void gelu_with_cdf_f32(const float* x, View xv, float* y, float* cdf, long long n) {
    GRID_STRIDE(i, n) {
        float v = x[view_at(xv, i)];
        float c = gelu_cdf(v);
        cdf[i] = c;
        y[i] = c * v;
    }
}

// d = g * (Phi(x) + x phi(x)); cdf and d contiguous.
extern "C" __global__ void gelu_grad_from_cdf_f32(const float* x, View xv, const float* cdf, const float* g, View gv,
                                                  float* d, long long n) {
    GRID_STRIDE(i, n) {
        float v = x[view_at(xv, i)];
        d[i] = g[view_at(gv, i)] * (v * (expf(v * v * -0.5f) * INV_SQRT_2PI) + cdf[i]);
    }
}

extern "C" __global__ void binary_f32(int op, const float* a, View av, const float* b, View bv, float* d, View dv,
                                      long long n) {
    GRID_STRIDE(i, n) { d[view_at(dv, i)] = apply_binary(op, a[view_at(av, i)], b[view_at(bv, i)]); }
}

extern "C" __global__ void compare_f32(int op, const float* a, View av, const float* b, View bv, uint8_t* d, View dv,
                                       long long n) {
    GRID_STRIDE(i, n) { d[view_at(dv, i)] = apply_compare(op, a[view_at(av, i)], b[view_at(bv, i)]) ? 1 : 0; }
}

extern "C" __global__ void where_f32(const uint8_t* c, View cv, const float* a, View av, const float* b, View bv,
                                     float* d, View dv, long long n) {
    GRID_STRIDE(i, n) { d[view_at(dv, i)] = c[view_at(cv, i)] != 0 ? a[view_at(av, i)] : b[view_at(bv, i)]; }
}

// Copy between any two dtypes (codes in shears.cuh) with the CPU's conversion rules: to an integer
// type a float truncates toward zero, U8 keeps the low 8 bits; F16/BF16 round to nearest even.
extern "C" __global__ void copy_convert(int sType, const void* s, View sv, int dType, void* d, View dv, long long n) {
    GRID_STRIDE(i, n) {
        long long from = view_at(sv, i);
        long long to = view_at(dv, i);
        if (sType == dType) {
            switch (dType) {
                case DT_F32: case DT_I32: ((uint32_t*) d)[to] = ((const uint32_t*) s)[from]; break;
                case DT_U8: ((uint8_t*) d)[to] = ((const uint8_t*) s)[from]; break;
                default: ((uint16_t*) d)[to] = ((const uint16_t*) s)[from]; break;
            }
            continue;
        }
        switch (dType) {
            case DT_F32: ((float*) d)[to] = load_as_float(s, sType, from); break;
            case DT_I32: ((int*) d)[to] = load_as_int(s, sType, from); break;
            case DT_U8: ((uint8_t*) d)[to] = (uint8_t) load_as_int(s, sType, from); break;
            case DT_F16: ((__half*) d)[to] = __float2half_rn(load_as_float(s, sType, from)); break;
            default: ((__nv_bfloat16*) d)[to] = __float2bfloat16_rn(load_as_float(s, sType, from)); break;
        }
    }
}

extern "C" __global__ void fill(int dType, void* d, View dv, float value, long long n) {
    int asInt = java_f2i(value);
    GRID_STRIDE(i, n) {
        long long to = view_at(dv, i);
        switch (dType) {
            case DT_F32: ((float*) d)[to] = value; break;
            case DT_I32: ((int*) d)[to] = asInt; break;
            case DT_U8: ((uint8_t*) d)[to] = (uint8_t) asInt; break;
            case DT_F16: ((__half*) d)[to] = __float2half_rn(value); break;
            default: ((__nv_bfloat16*) d)[to] = __float2bfloat16_rn(value); break;
        }
    }
}

// One Adam/AdamW step (dev.shears.tensor.spi.AdamStep), the CPU's float expression in its order;
// __f*_rn keep nvcc from contracting into FMAs, so results match the CPU bit for bit.
struct AdamScalars {
    float decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, sqrtBias2, eps, stepSize;
};

extern "C" __global__ void adam_step_f32(AdamScalars s, int n, float* w, int wOff, const float* g, int gOff,
                                         const float* mask, int maskOff, float* m, int mOff, float* v, int vOff) {
    GRID_STRIDE(i, n) {
        float mk = mask == nullptr ? 1.0f : mask[maskOff + i];
        float gi = mask == nullptr ? g[gOff + i] : __fmul_rn(g[gOff + i], mk);
        float wi = w[wOff + i];
        wi = mask == nullptr ? __fmul_rn(wi, 1.0f - s.decay)
                             : __fadd_rn(wi, __fmul_rn(__fmul_rn(wi, mk), -s.decay));
        float mi = __fadd_rn(__fmul_rn(m[mOff + i], s.beta1), __fmul_rn(gi, s.oneMinusBeta1));
        float vi = __fadd_rn(__fmul_rn(v[vOff + i], s.beta2), __fmul_rn(__fmul_rn(gi, gi), s.oneMinusBeta2));
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), s.sqrtBias2), s.eps);
        float upd = __fdiv_rn(mi, denom);
        if (mask != nullptr) upd = __fmul_rn(upd, mk);
        w[wOff + i] = __fadd_rn(wi, __fmul_rn(upd, -s.stepSize));
        m[mOff + i] = mi;
        v[vOff + i] = vi;
    }
}
