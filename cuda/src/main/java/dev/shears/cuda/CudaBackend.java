package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuMemsetD8;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.DeviceMismatchException;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Shape;
import dev.shears.tensor.spi.AdamStep;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.CompareOp;
import dev.shears.tensor.spi.ReduceOp;
import dev.shears.tensor.spi.Storage;
import dev.shears.tensor.spi.UnaryOp;
import dev.shears.tensor.spi.Window2d;
import java.util.Arrays;
import jcuda.driver.CUfunction;

/**
 * The CUDA backend: translates layouts into {@code View} parameters ({@link ViewParam}) and
 * launches the kernels of {@code elementwise.cu}, {@code reduce.cu}, {@code index.cu} and
 * {@code gemm.cu} on the default stream. Results are read back synchronously. Operations without
 * a GPU kernel throw {@link UnsupportedOperationException} naming the op and device; nothing
 * falls back to the CPU.
 */
public final class CudaBackend implements Backend {
    private static final int BLOCK = 256;
    /** Grid-stride kernels need no more blocks than keep every SM busy several times over. */
    private static final long MAX_BLOCKS = 1 << 16;
    /** Rows at least this long (with few rows) are reduced by a whole block instead of a warp. */
    private static final int LONG_ROW = 4096;

    private final CudaDevice gpu;
    private final Device device;

    CudaBackend(CudaDevice gpu) {
        this.gpu = gpu;
        this.device = Device.cuda(gpu.index());
    }

    @Override
    public Device device() {
        return device;
    }

    /** The GPU this backend launches on. */
    public CudaDevice gpu() {
        return gpu;
    }

    private UnsupportedOperationException notImplemented(String op) {
        return new UnsupportedOperationException(op + " is not implemented on " + device
                + " (no GPU kernel yet; move the tensors with to(Device.CPU) to run it on the CPU)");
    }

    private CudaStorage cuda(Storage s, String op) {
        if (s instanceof CudaStorage c && c.device().equals(device)) {
            return c;
        }
        throw new DeviceMismatchException(op, device, s.device());
    }

    private int[] view(Layout l, String op) {
        return ViewParam.of(l, op, device);
    }

    private CUfunction kernel(String module, String entry) {
        gpu.makeCurrent();
        return Kernels.function(gpu, module, entry);
    }

    /** A grid-stride launch over n elements (nothing to do when n is 0). */
    private void flat(String module, String entry, long n, Object... args) {
        if (n == 0) {
            return;
        }
        long blocks = Math.min(MAX_BLOCKS, (n + BLOCK - 1) / BLOCK);
        Launch.run(kernel(module, entry), (int) blocks, 1, 1, BLOCK, 1, 1, 0, args);
    }

    /** A warp-per-row launch over {@code rows} rows (8 rows per block). */
    private void warpRows(String module, String entry, long rows, Object... args) {
        if (rows == 0) {
            return;
        }
        long blocks = Math.min(MAX_BLOCKS, (rows + 7) / 8);
        Launch.run(kernel(module, entry), (int) blocks, 1, 1, BLOCK, 1, 1, 0, args);
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int size) {
        long bytes = (long) size * dtype.byteSize();
        DeviceMemory m = gpu.allocate(bytes);
        if (bytes > 0) {
            CudaException.check(cuMemsetD8(m.pointer(), (byte) 0, bytes), "cuMemsetD8(" + bytes + " bytes) on " + device);
        }
        return new CudaStorage(m, dtype, size);
    }

    @Override
    public Storage fromFloats(float[] data) {
        return new CudaStorage(DeviceMemory.upload(gpu, data), DType.F32, data.length);
    }

    @Override
    public Storage fromInts(int[] data) {
        return new CudaStorage(DeviceMemory.upload(gpu, data), DType.I32, data.length);
    }

    @Override
    public Storage fromBytes(byte[] data) {
        return new CudaStorage(DeviceMemory.upload(gpu, data), DType.U8, data.length);
    }

    @Override
    public float[] readFloats(Storage src, Layout layout) {
        float[] out = new float[layout.shape().numel()];
        readBack(src, layout, DType.F32, m -> m.download(out));
        return out;
    }

    @Override
    public int[] readInts(Storage src, Layout layout) {
        int[] out = new int[layout.shape().numel()];
        readBack(src, layout, DType.I32, m -> m.download(out));
        return out;
    }

    /** Copies the view into a contiguous {@code dtype} buffer (converting) and downloads that with {@code download}. */
    private void readBack(Storage src, Layout layout, DType dtype, java.util.function.Consumer<DeviceMemory> download) {
        int n = layout.shape().numel();
        if (n == 0) {
            return;
        }
        CudaStorage tmp = (CudaStorage) allocateUninitialised(dtype, n);
        try {
            copy(src, layout, tmp, Layout.contiguous(layout.shape()));
            download.accept(tmp.memory());
        } finally {
            tmp.memory().close();
        }
    }

    private Storage allocateUninitialised(DType dtype, int size) {
        return new CudaStorage(gpu.allocate((long) size * dtype.byteSize()), dtype, size);
    }

    @Override
    public void copy(Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        CudaStorage s = cuda(src, "copy");
        CudaStorage d = cuda(dst, "copy");
        flat("elementwise", "copy_convert", srcLayout.shape().numel(), s.dtype().ordinal(), s,
                view(srcLayout, "copy"), d.dtype().ordinal(), d, view(dstLayout, "copy"),
                (long) srcLayout.shape().numel());
    }

    @Override
    public void fill(Storage dst, Layout layout, float value) {
        CudaStorage d = cuda(dst, "fill");
        long n = layout.shape().numel();
        flat("elementwise", "fill", n, d.dtype().ordinal(), d, view(layout, "fill"), value, n);
    }

    // ---- element-wise ------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p0, float p1, Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        long n = dstLayout.shape().numel();
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        flat("elementwise", "unary_f32", n, op.ordinal(), p0, p1, cuda(src, name), view(srcLayout, name),
                cuda(dst, name), view(dstLayout, name), n);
    }

    @Override
    public void unaryGrad(UnaryOp op, Storage x, Layout xLayout, Storage grad, Layout gradLayout, Storage dst,
                          Layout dstLayout) {
        if (op != UnaryOp.GELU_ERF && op != UnaryOp.GELU_TANH && op != UnaryOp.SILU) {
            throw new IllegalArgumentException("unaryGrad: no gradient kernel for " + op + " on " + device);
        }
        long n = dstLayout.shape().numel();
        flat("elementwise", "unary_grad_f32", n, op.ordinal(), cuda(x, "unaryGrad"), view(xLayout, "unaryGrad"),
                cuda(grad, "unaryGrad"), view(gradLayout, "unaryGrad"), cuda(dst, "unaryGrad"),
                view(dstLayout, "unaryGrad"), n);
    }

    @Override
    public void geluWithCdf(Storage x, Layout xLayout, Storage y, Storage cdf) {
        long n = xLayout.shape().numel();
        flat("elementwise", "gelu_with_cdf_f32", n, cuda(x, "gelu"), view(xLayout, "gelu"), cuda(y, "gelu"),
                cuda(cdf, "gelu"), n);
    }

    @Override
    public void geluGradFromCdf(Storage x, Layout xLayout, Storage cdf, Storage grad, Layout gradLayout, Storage dst) {
        long n = xLayout.shape().numel();
        flat("elementwise", "gelu_grad_from_cdf_f32", n, cuda(x, "geluGrad"), view(xLayout, "geluGrad"),
                cuda(cdf, "geluGrad"), cuda(grad, "geluGrad"), view(gradLayout, "geluGrad"), cuda(dst, "geluGrad"), n);
    }

    @Override
    public void binary(BinaryOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout) {
        long n = dstLayout.shape().numel();
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        flat("elementwise", "binary_f32", n, op.ordinal(), cuda(a, name), view(aLayout, name), cuda(b, name),
                view(bLayout, name), cuda(dst, name), view(dstLayout, name), n);
    }

    @Override
    public void compare(CompareOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst,
                        Layout dstLayout) {
        long n = dstLayout.shape().numel();
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        flat("elementwise", "compare_f32", n, op.ordinal(), cuda(a, name), view(aLayout, name), cuda(b, name),
                view(bLayout, name), cuda(dst, name), view(dstLayout, name), n);
    }

    @Override
    public void where(Storage cond, Layout condLayout, Storage a, Layout aLayout, Storage b, Layout bLayout,
                      Storage dst, Layout dstLayout) {
        long n = dstLayout.shape().numel();
        flat("elementwise", "where_f32", n, cuda(cond, "where"), view(condLayout, "where"), cuda(a, "where"),
                view(aLayout, "where"), cuda(b, "where"), view(bLayout, "where"), cuda(dst, "where"),
                view(dstLayout, "where"), n);
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Storage src, Layout srcLayout, int[] axes, Storage dst) {
        Shape shape = srcLayout.shape();
        Layout rows = srcLayout.permute(keptThenMoved(shape.rank(), axes));
        int r = 1;
        for (int axis : axes) {
            r *= shape.dim(axis);
        }
        long count = dst.size();
        CudaStorage s = cuda(src, "reduce");
        CudaStorage d = cuda(dst, "reduce");
        if (r >= LONG_ROW && count < 1024) {
            Launch.run(kernel("reduce", "reduce_block_f32"), (int) Math.max(1, count), 1, 1, 512, 1, 1, 0,
                    op.ordinal(), s, view(rows, "reduce"), count, r, d);
        } else {
            warpRows("reduce", "reduce_warp_f32", count, op.ordinal(), s, view(rows, "reduce"), count, r, d);
        }
    }

    @Override
    public void argReduce(ReduceOp op, Storage src, Layout srcLayout, int axis, Storage dst) {
        Shape shape = srcLayout.shape();
        Layout rows = srcLayout.permute(keptThenMoved(shape.rank(), new int[] {axis}));
        long count = dst.size();
        warpRows("reduce", "arg_reduce_f32", count, op.ordinal(), cuda(src, "argReduce"), view(rows, "argReduce"),
                count, shape.dim(axis), cuda(dst, "argReduce"));
    }

    @Override
    public void softmax(Storage src, Layout srcLayout, int axis, boolean log, Storage dst) {
        Shape shape = srcLayout.shape();
        int r = shape.dim(axis);
        if (r == 0) {
            return;
        }
        Layout rows = srcLayout.permute(keptThenMoved(shape.rank(), new int[] {axis}));
        int inner = product(shape, axis + 1, shape.rank());
        long count = shape.numel() / r;
        warpRows("reduce", "softmax_f32", count, cuda(src, "softmax"), view(rows, "softmax"), count, r, inner,
                log ? 1 : 0, cuda(dst, "softmax"));
    }

    @Override
    public void layerNorm(Storage x, Layout xLayout, int n, Storage weight, Storage bias, float eps, Storage y,
                          Storage mean, Storage rstd) {
        long rows = n == 0 ? 0 : xLayout.shape().numel() / n;
        warpRows("reduce", "layer_norm_f32", rows, cuda(x, "layerNorm"), view(xLayout, "layerNorm"), rows, n,
                optional(weight, "layerNorm"), optional(bias, "layerNorm"), eps, cuda(y, "layerNorm"),
                cuda(mean, "layerNorm"), cuda(rstd, "layerNorm"));
    }

    @Override
    public void layerNormBackward(Storage g, Layout gLayout, Storage x, Layout xLayout, int n, Storage weight,
                                  Storage mean, Storage rstd, Storage dx, Storage dWeight, Storage dBias) {
        String op = "layerNormBackward";
        long rows = n == 0 ? 0 : xLayout.shape().numel() / n;
        warpRows("reduce", "layer_norm_dx_f32", rows, cuda(g, op), view(gLayout, op), cuda(x, op), view(xLayout, op),
                rows, n, optional(weight, op), cuda(mean, op), cuda(rstd, op), cuda(dx, op));
        if ((dWeight != null || dBias != null) && n > 0) {
            Launch.run(kernel("reduce", "layer_norm_dwb_f32"), (n + BLOCK - 1) / BLOCK, 1, 1, BLOCK, 1, 1, 0,
                    cuda(g, op), view(gLayout, op), cuda(x, op), view(xLayout, op), rows, n, cuda(mean, op),
                    cuda(rstd, op), optional(dWeight, op), optional(dBias, op));
        }
    }

    /** A storage argument that may be absent: the null device pointer (a 64-bit 0) then. */
    private Object optional(Storage s, String op) {
        return s == null ? (Object) 0L : cuda(s, op);
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Override
    public void matmul(Storage a, Layout aLayout, Storage b, Layout bLayout, Storage c, int batch, int m, int n, int k) {
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        int[] as = aLayout.strides();
        int[] bs = bLayout.strides();
        CudaStorage cs = cuda(c, "matmul");
        if (k == 0) {
            fill(cs, Layout.contiguous(Shape.of(batch, m, n)), 0f);
            return;
        }
        CudaGemm.sgemm(gpu, cuda(a, "matmul"), aLayout.offset(), as[0], as[1], as[2], cuda(b, "matmul"),
                bLayout.offset(), bs[0], bs[1], bs[2], cs, batch, m, n, k);
    }

    @Override
    public void causalAttention(Storage q, Layout qLayout, Storage k, Layout kLayout, Storage v, Layout vLayout,
                                float scale, Storage out, Layout outLayout, Storage probs) {
        throw notImplemented("causalAttention");
    }

    @Override
    public void causalAttentionBackward(Storage g, Layout gLayout, Storage q, Layout qLayout, Storage k,
                                        Layout kLayout, Storage v, Layout vLayout, Storage probs, float scale,
                                        Storage dq, Layout dqLayout, Storage dk, Layout dkLayout, Storage dv,
                                        Layout dvLayout) {
        throw notImplemented("causalAttentionBackward");
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Override
    public void gather(Storage src, Layout srcLayout, int axis, Storage index, Layout indexLayout, Storage dst) {
        Shape is = indexLayout.shape();
        select("gather_f32", "gather", src, srcLayout, index, indexLayout, is.dim(axis),
                product(is, axis + 1, is.rank()), srcLayout.shape().dim(axis), dst, is.numel());
    }

    @Override
    public void indexSelect(Storage src, Layout srcLayout, int axis, Storage index, Layout indexLayout, Storage dst) {
        Shape s = srcLayout.shape();
        int count = indexLayout.shape().numel();
        int inner = product(s, axis + 1, s.rank());
        select("index_select_f32", "indexSelect", src, srcLayout, index, indexLayout, count, inner, s.dim(axis), dst,
                (long) product(s, 0, axis) * count * inner);
    }

    @Override
    public void scatterAdd(Storage dst, Layout dstLayout, int axis, Storage index, Layout indexLayout, Storage src,
                           Layout srcLayout) {
        Shape is = indexLayout.shape();
        accumulate("scatter_add_f32", "scatterAdd", dst, dstLayout, axis, index, indexLayout, src, srcLayout,
                is.dim(axis), product(is, axis + 1, is.rank()), is.numel());
    }

    @Override
    public void indexAdd(Storage dst, Layout dstLayout, int axis, Storage index, Layout indexLayout, Storage src,
                         Layout srcLayout) {
        Shape s = srcLayout.shape();
        accumulate("index_add_f32", "indexAdd", dst, dstLayout, axis, index, indexLayout, src, srcLayout, s.dim(axis),
                product(s, axis + 1, s.rank()), s.numel());
    }

    /**
     * gather_f32 / index_select_f32 over n outputs: dst[o, j, i] = src[o, index[..], i] with j &lt; count
     * along the axis, i &lt; inner after it and srcAxis the source's length along it.
     */
    private void select(String entry, String op, Storage src, Layout srcLayout, Storage index, Layout indexLayout,
                        int count, int inner, int srcAxis, Storage dst, long n) {
        flat("index", entry, n, cuda(src, op), view(srcLayout, op), cuda(index, op), view(indexLayout, op), count,
                inner, srcAxis, cuda(dst, op), n);
    }

    /**
     * scatter_add_f32 / index_add_f32 over n sources: dst[o, index[..], i] += src[o, j, i] (atomic adds),
     * j &lt; count along the axis, i &lt; inner after it; dst is contiguous from its layout's offset.
     */
    private void accumulate(String entry, String op, Storage dst, Layout dstLayout, int axis, Storage index,
                            Layout indexLayout, Storage src, Layout srcLayout, int count, int inner, long n) {
        flat("index", entry, n, cuda(dst, op), dstLayout.offset(), cuda(index, op), view(indexLayout, op),
                cuda(src, op), view(srcLayout, op), count, inner, dstLayout.shape().dim(axis), n);
    }

    // ---- selection, convolution and pooling: no GPU kernels yet ------------------------------

    @Override
    public float kthSmallest(Storage src, Layout srcLayout, int k) {
        throw notImplemented("kthSmallest");
    }

    @Override
    public void kthSmallestAlong(Storage src, Layout srcLayout, int axis, int k, Storage values, Storage indices) {
        throw notImplemented("kthSmallestAlong");
    }

    @Override
    public void topk(Storage src, Layout srcLayout, int axis, int k, boolean largest, boolean sorted, Storage values,
                     Storage indices) {
        throw notImplemented("topk");
    }

    @Override
    public void im2col(Storage src, Layout srcLayout, Window2d window, boolean batchInColumns, Storage dst) {
        throw notImplemented("im2col");
    }

    @Override
    public void col2im(Storage cols, Layout colsLayout, Window2d window, Storage dst) {
        throw notImplemented("col2im");
    }

    @Override
    public void conv2d(Storage x, Layout xLayout, Window2d window, Storage weight, Layout weightLayout,
                       int outChannels, Storage y) {
        throw notImplemented("conv2d");
    }

    @Override
    public void conv2dWeightGrad(Storage x, Layout xLayout, Window2d window, Storage gy, Layout gyLayout,
                                 int outChannels, Storage dw) {
        throw notImplemented("conv2dWeightGrad");
    }

    @Override
    public void maxPool2d(Storage src, Layout srcLayout, Window2d window, Storage values, Storage argmax) {
        throw notImplemented("maxPool2d");
    }

    @Override
    public void maxPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage argmax, Layout argmaxLayout,
                                  int planes, int inPlane, int outPlane, Storage gradIn) {
        throw notImplemented("maxPool2dBackward");
    }

    @Override
    public void avgPool2d(Storage src, Layout srcLayout, Window2d window, boolean countIncludePad, Storage dst) {
        throw notImplemented("avgPool2d");
    }

    @Override
    public void avgPool2dBackward(Storage gradOut, Layout gradOutLayout, Window2d window, boolean countIncludePad,
                                  Storage gradIn) {
        throw notImplemented("avgPool2dBackward");
    }

    // ---- optimizer updates -------------------------------------------------------------------

    @Override
    public void adamStep(AdamStep step, int n, Storage param, int paramOffset, Storage grad, int gradOffset,
                         Storage mask, int maskOffset, Storage expAvg, int expAvgOffset, Storage expAvgSq,
                         int expAvgSqOffset) {
        String op = "adamStep";
        // The by-value AdamScalars struct of elementwise.cu: eight floats in record order.
        int[] scalars = {bits(step.decay()), bits(step.beta1()), bits(step.oneMinusBeta1()), bits(step.beta2()),
                bits(step.oneMinusBeta2()), bits(step.sqrtBias2()), bits(step.eps()), bits(step.stepSize())};
        flat("elementwise", "adam_step_f32", n, scalars, n, cuda(param, op), paramOffset, cuda(grad, op), gradOffset,
                optional(mask, op), maskOffset, cuda(expAvg, op), expAvgOffset, cuda(expAvgSq, op), expAvgSqOffset);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static int bits(float f) {
        return Float.floatToRawIntBits(f);
    }

    /** Axis order with {@code moved} (sorted) last, the others first in order. */
    private static int[] keptThenMoved(int rank, int[] moved) {
        int[] order = new int[rank];
        int at = 0;
        for (int i = 0; i < rank; i++) {
            if (Arrays.binarySearch(moved, i) < 0) {
                order[at++] = i;
            }
        }
        for (int axis : moved) {
            order[at++] = axis;
        }
        return order;
    }

    private static int product(Shape s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= s.dim(i);
        }
        return p;
    }
}
