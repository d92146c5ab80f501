package dev.shears.tensor.cpu;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Shape;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.spi.AdamStep;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.CompareOp;
import dev.shears.tensor.spi.ReduceOp;
import dev.shears.tensor.spi.Storage;
import dev.shears.tensor.spi.UnaryOp;
import dev.shears.tensor.spi.Window2d;
import java.util.Arrays;

/**
 * The CPU backend: translates layouts into the array/offset/stride calls of the kernel classes
 * in this package. Non-contiguous inputs to kernels that need contiguous blocks are copied first.
 */
public final class CpuBackend implements Backend {
    /** The one CPU backend instance. */
    public static final CpuBackend INSTANCE = new CpuBackend();

    /** Below this many multiply-adds per matrix, batched matmuls run one matrix per task. */
    private static final long SMALL_GEMM = 1L << 20;

    private CpuBackend() {}

    @Override
    public Device device() {
        return Device.CPU;
    }

    private static CpuStorage cpu(Storage s) {
        return (CpuStorage) s;
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int size) {
        return CpuStorage.allocate(dtype, size);
    }

    @Override
    public Storage fromFloats(float[] data) {
        return CpuStorage.of(data);
    }

    @Override
    public Storage fromInts(int[] data) {
        return CpuStorage.of(data);
    }

    @Override
    public Storage fromBytes(byte[] data) {
        return CpuStorage.of(data);
    }

    @Override
    public float[] readFloats(Storage src, Layout layout) {
        CpuStorage out = CpuStorage.allocate(DType.F32, layout.shape().numel());
        copy(src, layout, out, Layout.contiguous(layout.shape()));
        return out.floats();
    }

    @Override
    public int[] readInts(Storage src, Layout layout) {
        CpuStorage out = CpuStorage.allocate(DType.I32, layout.shape().numel());
        copy(src, layout, out, Layout.contiguous(layout.shape()));
        return out.ints();
    }

    @Override
    public void copy(Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        CpuStorage s = cpu(src);
        CpuStorage d = cpu(dst);
        StridedLoop loop = StridedLoop.of(srcLayout.shape(), srcLayout, dstLayout);
        int ss = loop.innerStrides[0];
        int ds = loop.innerStrides[1];
        if (s.dtype() != d.dtype()) {
            loop.forEachPiece((off, n) -> CopyKernel.convert(s, off[0], ss, d, off[1], ds, n));
            return;
        }
        switch (s.dtype()) {
            case F32 -> loop.forEachPiece((off, n) -> CopyKernel.copy(s.floats(), off[0], ss, d.floats(), off[1], ds, n));
            case I32 -> loop.forEachPiece((off, n) -> CopyKernel.copy(s.ints(), off[0], ss, d.ints(), off[1], ds, n));
            case U8 -> loop.forEachPiece((off, n) -> CopyKernel.copy(s.bytes(), off[0], ss, d.bytes(), off[1], ds, n));
            default -> throw new IllegalStateException("copy: unsupported dtype " + s.dtype());
        }
    }

    @Override
    public void fill(Storage dst, Layout layout, float value) {
        CpuStorage d = cpu(dst);
        StridedLoop loop = StridedLoop.of(layout.shape(), layout);
        int st = loop.innerStrides[0];
        // Pick the array once, outside the loop (zeroGrad and init fill large tensors).
        switch (d.dtype()) {
            case F32 -> loop.forEachPiece((off, n) -> {
                float[] a = d.floats();
                for (int i = 0; i < n; i++) {
                    a[off[0] + i * st] = value;
                }
            });
            case I32 -> loop.forEachPiece((off, n) -> {
                int[] a = d.ints();
                for (int i = 0; i < n; i++) {
                    a[off[0] + i * st] = (int) value;
                }
            });
            case U8 -> loop.forEachPiece((off, n) -> {
                byte[] a = d.bytes();
                for (int i = 0; i < n; i++) {
                    a[off[0] + i * st] = (byte) (int) value;
                }
            });
            default -> throw new IllegalStateException("fill: unsupported dtype " + d.dtype());
        }
    }

    // ---- element-wise ------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p0, float p1, Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        float[] s = cpu(src).floats();
        float[] d = cpu(dst).floats();
        StridedLoop loop = StridedLoop.of(srcLayout.shape(), srcLayout, dstLayout);
        int ss = loop.innerStrides[0];
        int ds = loop.innerStrides[1];
        loop.forEachPiece((off, n) -> UnaryKernel.run(op, p0, p1, s, off[0], ss, d, off[1], ds, n));
    }

    @Override
    public void unaryGrad(UnaryOp op, Storage x, Layout xLayout, Storage grad, Layout gradLayout, Storage dst,
                          Layout dstLayout) {
        if (!UnaryKernel.hasGrad(op)) {
            throw new IllegalArgumentException("unaryGrad: no gradient kernel for " + op);
        }
        float[] s = cpu(x).floats();
        float[] g = cpu(grad).floats();
        float[] d = cpu(dst).floats();
        StridedLoop loop = StridedLoop.of(dstLayout.shape(), xLayout, gradLayout, dstLayout);
        int[] st = loop.innerStrides;
        loop.forEachPiece((off, n) -> UnaryKernel.runGrad(op, s, off[0], st[0], g, off[1], st[1], d, off[2], st[2], n));
    }

    @Override
    public void geluWithCdf(Storage x, Layout xLayout, Storage y, Storage cdf) {
        float[] s = cpu(x).floats();
        float[] d = cpu(y).floats();
        float[] c = cpu(cdf).floats();
        Layout out = Layout.contiguous(xLayout.shape());
        StridedLoop loop = StridedLoop.of(xLayout.shape(), xLayout, out, out);
        int[] st = loop.innerStrides;
        loop.forEachPiece((off, n) -> UnaryKernel.geluWithCdf(s, off[0], st[0], d, off[1], st[1], c, off[2], st[2], n));
    }

    @Override
    public void geluGradFromCdf(Storage x, Layout xLayout, Storage cdf, Storage grad, Layout gradLayout, Storage dst) {
        float[] s = cpu(x).floats();
        float[] c = cpu(cdf).floats();
        float[] g = cpu(grad).floats();
        float[] d = cpu(dst).floats();
        Layout contiguous = Layout.contiguous(xLayout.shape());
        StridedLoop loop = StridedLoop.of(xLayout.shape(), xLayout, contiguous, gradLayout, contiguous);
        int[] st = loop.innerStrides;
        loop.forEachPiece((off, n) -> UnaryKernel.geluGradFromCdf(s, off[0], st[0], c, off[1], st[1], g, off[2], st[2],
                d, off[3], st[3], n));
    }

    @Override
    public void binary(BinaryOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout) {
        float[] x = cpu(a).floats();
        float[] y = cpu(b).floats();
        float[] d = cpu(dst).floats();
        StridedLoop loop = StridedLoop.of(dstLayout.shape(), aLayout, bLayout, dstLayout);
        int as = loop.innerStrides[0];
        int bs = loop.innerStrides[1];
        int ds = loop.innerStrides[2];
        loop.forEachPiece((off, n) -> BinaryKernel.run(op, x, off[0], as, y, off[1], bs, d, off[2], ds, n));
    }

    @Override
    public void compare(CompareOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout) {
        float[] x = cpu(a).floats();
        float[] y = cpu(b).floats();
        byte[] d = cpu(dst).bytes();
        StridedLoop loop = StridedLoop.of(dstLayout.shape(), aLayout, bLayout, dstLayout);
        int as = loop.innerStrides[0];
        int bs = loop.innerStrides[1];
        int ds = loop.innerStrides[2];
        loop.forEachPiece((off, n) -> BinaryKernel.runCompare(op, x, off[0], as, y, off[1], bs, d, off[2], ds, n));
    }

    @Override
    public void where(Storage cond, Layout condLayout, Storage a, Layout aLayout, Storage b, Layout bLayout,
                      Storage dst, Layout dstLayout) {
        byte[] c = cpu(cond).bytes();
        float[] x = cpu(a).floats();
        float[] y = cpu(b).floats();
        float[] d = cpu(dst).floats();
        StridedLoop loop = StridedLoop.of(dstLayout.shape(), condLayout, aLayout, bLayout, dstLayout);
        int[] st = loop.innerStrides;
        loop.forEachPiece((off, n) -> BinaryKernel.where(c, off[0], st[0], x, off[1], st[1], y, off[2], st[2],
                d, off[3], st[3], n));
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Storage src, Layout srcLayout, int[] axes, Storage dst) {
        Shape shape = srcLayout.shape();
        float[] out = cpu(dst).floats();
        boolean consecutive = axes.length > 0 && axes[axes.length - 1] - axes[0] == axes.length - 1;
        if (consecutive) {
            Block block = contiguousBlock(src, srcLayout);
            int outer = product(shape, 0, axes[0]);
            int r = product(shape, axes[0], axes[axes.length - 1] + 1);
            int inner = product(shape, axes[axes.length - 1] + 1, shape.rank());
            ReduceKernel.run(op, block.data, block.offset, outer, r, inner, out, 0);
            return;
        }
        // Scattered axes: move the reduced axes last, then each output is one contiguous run.
        int[] order = new int[shape.rank()];
        int at = 0;
        for (int i = 0; i < shape.rank(); i++) {
            if (Arrays.binarySearch(axes, i) < 0) {
                order[at++] = i;
            }
        }
        for (int axis : axes) {
            order[at++] = axis;
        }
        Layout permuted = srcLayout.permute(order);
        Block block = contiguousBlock(src, permuted);
        int r = 1;
        for (int axis : axes) {
            r *= shape.dim(axis);
        }
        int outer = r == 0 ? out.length : shape.numel() / r;
        ReduceKernel.run(op, block.data, block.offset, outer, r, 1, out, 0);
    }

    @Override
    public void argReduce(ReduceOp op, Storage src, Layout srcLayout, int axis, Storage dst) {
        Shape shape = srcLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        ReduceKernel.argReduce(op, block.data, block.offset, product(shape, 0, axis), shape.dim(axis),
                product(shape, axis + 1, shape.rank()), cpu(dst).ints(), 0);
    }

    @Override
    public void softmax(Storage src, Layout srcLayout, int axis, boolean log, Storage dst) {
        Shape shape = srcLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        SoftmaxKernel.run(block.data, block.offset, product(shape, 0, axis), shape.dim(axis),
                product(shape, axis + 1, shape.rank()), log, cpu(dst).floats(), 0);
    }

    @Override
    public void layerNorm(Storage x, Layout xLayout, int n, Storage weight, Storage bias, float eps, Storage y,
                          Storage mean, Storage rstd) {
        Block block = contiguousBlock(x, xLayout);
        int rows = n == 0 ? 0 : xLayout.shape().numel() / n;
        LayerNormKernel.forward(block.data, block.offset, rows, n, weight == null ? null : cpu(weight).floats(),
                bias == null ? null : cpu(bias).floats(), eps, cpu(y).floats(), cpu(mean).floats(), cpu(rstd).floats());
    }

    @Override
    public void layerNormBackward(Storage g, Layout gLayout, Storage x, Layout xLayout, int n, Storage weight,
                                  Storage mean, Storage rstd, Storage dx, Storage dWeight, Storage dBias) {
        Block gb = contiguousBlock(g, gLayout);
        float[] gr = gb.offset == 0 ? gb.data : java.util.Arrays.copyOfRange(gb.data, gb.offset,
                gb.offset + gLayout.shape().numel());
        Block xb = contiguousBlock(x, xLayout);
        int rows = n == 0 ? 0 : xLayout.shape().numel() / n;
        LayerNormKernel.backward(gr, xb.data, xb.offset, rows, n, weight == null ? null : cpu(weight).floats(),
                cpu(mean).floats(), cpu(rstd).floats(), cpu(dx).floats(),
                dWeight == null ? null : cpu(dWeight).floats(), dBias == null ? null : cpu(dBias).floats());
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Override
    public void matmul(Storage a, Layout aLayout, Storage b, Layout bLayout, Storage c, int batch, int m, int n, int k) {
        float[] x = cpu(a).floats();
        float[] y = cpu(b).floats();
        float[] z = cpu(c).floats();
        int[] as = aLayout.strides();
        int[] bs = bLayout.strides();
        Parallel.RangeBody body = (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                GemmKernel.run(m, n, k,
                        x, aLayout.offset() + i * as[0], as[1], as[2],
                        y, bLayout.offset() + i * bs[0], bs[1], bs[2],
                        z, i * m * n, n, false);
            }
        };
        long work = (long) m * n * k;
        // A batch of A against one shared B (a linear layer on [batch, T, in]): when A's batches are
        // stacked rows, one GEMM of batch·m rows packs B once instead of once per batch entry. Only
        // where each entry would take the packed path too, whose results do not depend on how rows
        // are grouped: the same bits either way.
        int mergedRowStride = m == 1 ? as[0] : as[1];
        if (batch > 1 && bs[0] == 0 && (m == 1 || as[0] == (long) m * as[1]) && (long) batch * m <= Integer.MAX_VALUE
                && !GemmDirect.suits(m, n, k, as[2], bs[1], bs[2])) {
            GemmKernel.run(batch * m, n, k, x, aLayout.offset(), mergedRowStride, as[2], y, bLayout.offset(), bs[1],
                    bs[2], z, 0, n, false);
            return;
        }
        if (batch == 1 || work >= SMALL_GEMM) {
            body.run(0, batch); // each product parallelises internally
        } else {
            Parallel.forRange(batch, (int) Math.max(1, SMALL_GEMM / Math.max(1, work)), body);
        }
    }

    // ---- attention ---------------------------------------------------------------------------

    private static AttentionKernel.View view(Storage s, Layout l) {
        int[] st = l.strides();
        return new AttentionKernel.View(cpu(s).floats(), l.offset(), st[0], st[1], st[2], st[3]);
    }

    private static AttentionKernel.Dims dims(Layout q, Layout k) {
        Shape qs = q.shape();
        Shape ks = k.shape();
        return new AttentionKernel.Dims(qs.dim(0), qs.dim(1), ks.dim(1), qs.dim(2), ks.dim(2), qs.dim(3));
    }

    @Override
    public void causalAttention(Storage q, Layout qLayout, Storage k, Layout kLayout, Storage v, Layout vLayout,
            float scale, Storage out, Layout outLayout, Storage probs) {
        AttentionKernel.forward(dims(qLayout, kLayout), scale, view(q, qLayout), view(k, kLayout), view(v, vLayout),
                view(out, outLayout), cpu(probs).floats(), 0);
    }

    @Override
    public void causalAttentionBackward(Storage g, Layout gLayout, Storage q, Layout qLayout, Storage k, Layout kLayout,
            Storage v, Layout vLayout, Storage probs, float scale, Storage dq, Layout dqLayout, Storage dk,
            Layout dkLayout, Storage dv, Layout dvLayout) {
        AttentionKernel.backward(dims(qLayout, kLayout), scale, view(g, gLayout), view(q, qLayout), view(k, kLayout),
                view(v, vLayout), cpu(probs).floats(), 0, view(dq, dqLayout), view(dk, dkLayout), view(dv, dvLayout));
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Override
    public void gather(Storage src, Layout srcLayout, int axis, Storage index, Layout indexLayout, Storage dst) {
        Shape s = srcLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        GatherKernel.gather(block.data, block.offset, product(s, 0, axis), s.dim(axis), product(s, axis + 1, s.rank()),
                contiguousInts(index, indexLayout), 0, indexLayout.shape().dim(axis), cpu(dst).floats(), 0);
    }

    @Override
    public void indexSelect(Storage src, Layout srcLayout, int axis, Storage index, Layout indexLayout, Storage dst) {
        Shape s = srcLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        GatherKernel.indexSelect(block.data, block.offset, product(s, 0, axis), s.dim(axis), product(s, axis + 1, s.rank()),
                contiguousInts(index, indexLayout), 0, indexLayout.shape().numel(), cpu(dst).floats(), 0);
    }

    @Override
    public void scatterAdd(Storage dst, Layout dstLayout, int axis, Storage index, Layout indexLayout,
                           Storage src, Layout srcLayout) {
        Shape d = dstLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        GatherKernel.scatterAdd(cpu(dst).floats(), dstLayout.offset(), product(d, 0, axis), d.dim(axis),
                product(d, axis + 1, d.rank()), contiguousInts(index, indexLayout), 0, indexLayout.shape().dim(axis),
                block.data, block.offset);
    }

    @Override
    public void indexAdd(Storage dst, Layout dstLayout, int axis, Storage index, Layout indexLayout,
                         Storage src, Layout srcLayout) {
        Shape d = dstLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        GatherKernel.indexAdd(cpu(dst).floats(), dstLayout.offset(), product(d, 0, axis), d.dim(axis),
                product(d, axis + 1, d.rank()), contiguousInts(index, indexLayout), 0, indexLayout.shape().numel(),
                block.data, block.offset);
    }

    // ---- selection ---------------------------------------------------------------------------

    @Override
    public float kthSmallest(Storage src, Layout srcLayout, int k) {
        Block block = contiguousBlock(src, srcLayout);
        return SelectKernel.kthSmallest(block.data, block.offset, srcLayout.shape().numel(), k);
    }

    @Override
    public void kthSmallestAlong(Storage src, Layout srcLayout, int axis, int k, Storage values, Storage indices) {
        Shape s = srcLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        SelectKernel.kthSmallestAlong(block.data, block.offset, product(s, 0, axis), s.dim(axis),
                product(s, axis + 1, s.rank()), k, cpu(values).floats(), cpu(indices).ints());
    }

    @Override
    public void topk(Storage src, Layout srcLayout, int axis, int k, boolean largest, boolean sorted,
                     Storage values, Storage indices) {
        Shape s = srcLayout.shape();
        Block block = contiguousBlock(src, srcLayout);
        SelectKernel.topk(block.data, block.offset, product(s, 0, axis), s.dim(axis), product(s, axis + 1, s.rank()),
                k, largest, sorted, cpu(values).floats(), cpu(indices).ints());
    }

    // ---- convolution and pooling -------------------------------------------------------------

    @Override
    public void im2col(Storage src, Layout srcLayout, Window2d w, boolean batchInColumns, Storage dst) {
        Block b = contiguousBlock(src, srcLayout);
        Im2ColKernel.im2col(b.data, b.offset, w.n(), w.c(), w.h(), w.w(), w.kh(), w.kw(), w.strideH(), w.strideW(),
                w.padH(), w.padW(), w.dilH(), w.dilW(), cpu(dst).floats(), 0, batchInColumns);
    }

    @Override
    public void col2im(Storage cols, Layout colsLayout, Window2d w, Storage dst) {
        // Columns stored batch-in-columns ([rows, n, L] seen as [n, rows, L]) are read in place.
        int[] st = colsLayout.strides();
        int[] d = colsLayout.shape().dims();
        boolean batchInColumns = d[0] > 1 && d[1] > 1 && st[2] == 1 && st[0] == d[2] && st[1] == d[0] * d[2];
        Block b = batchInColumns ? new Block(cpu(cols).floats(), colsLayout.offset()) : contiguousBlock(cols, colsLayout);
        Im2ColKernel.col2im(b.data, b.offset, w.n(), w.c(), w.h(), w.w(), w.kh(), w.kw(), w.strideH(), w.strideW(),
                w.padH(), w.padW(), w.dilH(), w.dilW(), cpu(dst).floats(), 0, batchInColumns);
    }

    @Override
    public void conv2d(Storage x, Layout xLayout, Window2d w, Storage weight, Layout weightLayout, int o, Storage y) {
        Block xb = contiguousBlock(x, xLayout);
        Block wb = contiguousBlock(weight, weightLayout);
        float[] out = cpu(y).floats();
        if (DirectConvKernel.suits(w.c(), w.kh(), w.kw(), w.strideH(), w.strideW(), w.dilH(), w.dilW())) {
            DirectConvKernel.forward(xb.data, xb.offset, w.n(), w.c(), w.h(), w.w(), wb.data, wb.offset, o, w.kh(), w.kw(),
                    w.padH(), w.padW(), out, 0);
            return;
        }
        // One GEMM over the batch-in-columns im2col, then [o, n, L] reordered to [n, o, L].
        int rows = w.c() * w.kh() * w.kw();
        int plane = w.outH() * w.outW();
        int cols = w.n() * plane;
        float[] unfolded = im2colBatchInColumns(xb, w);
        float[] product = new float[o * cols];
        GemmKernel.run(o, cols, rows, wb.data, wb.offset, rows, 1, unfolded, 0, cols, 1, product, 0, cols, false);
        reorderPlanes(product, 0, out, o, w.n(), plane);
    }

    @Override
    public void conv2dWeightGrad(Storage x, Layout xLayout, Window2d w, Storage gy, Layout gyLayout, int o, Storage dw) {
        Block xb = contiguousBlock(x, xLayout);
        Block gb = contiguousBlock(gy, gyLayout);
        float[] grad = cpu(dw).floats();
        if (DirectConvKernel.suits(w.c(), w.kh(), w.kw(), w.strideH(), w.strideW(), w.dilH(), w.dilW())) {
            DirectConvKernel.weightGrad(xb.data, xb.offset, w.n(), w.c(), w.h(), w.w(), gb.data, gb.offset, o, w.kh(),
                    w.kw(), w.padH(), w.padW(), grad, 0, false);
            return;
        }
        // dW [o, rows] = gy as [o, n·L] times the im2col columns transposed: one long dot per weight.
        int rows = w.c() * w.kh() * w.kw();
        int plane = w.outH() * w.outW();
        int cols = w.n() * plane;
        float[] unfolded = im2colBatchInColumns(xb, w);
        float[] gyByChannel = new float[o * cols];
        reorderPlanes(gb.data, gb.offset, gyByChannel, w.n(), o, plane);
        GemmKernel.run(o, rows, cols, gyByChannel, 0, cols, 1, unfolded, 0, 1, cols, grad, 0, rows, false);
    }

    /** Planes [a, b, plane] (from {@code off}) copied into [b, a, plane]: batch-major to channel-major or back. */
    private static void reorderPlanes(float[] src, int off, float[] dst, int a, int b, int plane) {
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(src, off + (i * b + j) * plane, dst, (j * a + i) * plane, plane);
            }
        }
    }

    private static float[] im2colBatchInColumns(Block x, Window2d w) {
        float[] unfolded = new float[w.c() * w.kh() * w.kw() * w.n() * w.outH() * w.outW()];
        Im2ColKernel.im2col(x.data, x.offset, w.n(), w.c(), w.h(), w.w(), w.kh(), w.kw(), w.strideH(), w.strideW(),
                w.padH(), w.padW(), w.dilH(), w.dilW(), unfolded, 0, true);
        return unfolded;
    }

    @Override
    public void maxPool2d(Storage src, Layout srcLayout, Window2d w, Storage values, Storage argmax) {
        Block b = contiguousBlock(src, srcLayout);
        PoolKernel.maxPool2d(b.data, b.offset, w.n(), w.c(), w.h(), w.w(), w.kh(), w.kw(), w.strideH(), w.strideW(),
                w.padH(), w.padW(), cpu(values).floats(), cpu(argmax).ints());
    }

    @Override
    public void maxPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage argmax, Layout argmaxLayout,
                                  int planes, int inPlane, int outPlane, Storage gradIn) {
        Block g = contiguousBlock(gradOut, gradOutLayout);
        int[] idx = contiguousInts(argmax, argmaxLayout);
        PoolKernel.maxPool2dBackward(g.data, g.offset, idx, 0, planes, inPlane, outPlane, cpu(gradIn).floats());
    }

    @Override
    public void avgPool2d(Storage src, Layout srcLayout, Window2d w, boolean countIncludePad, Storage dst) {
        Block b = contiguousBlock(src, srcLayout);
        PoolKernel.avgPool2d(b.data, b.offset, w.n(), w.c(), w.h(), w.w(), w.kh(), w.kw(), w.strideH(), w.strideW(),
                w.padH(), w.padW(), countIncludePad, cpu(dst).floats());
    }

    @Override
    public void avgPool2dBackward(Storage gradOut, Layout gradOutLayout, Window2d w, boolean countIncludePad,
                                  Storage gradIn) {
        Block b = contiguousBlock(gradOut, gradOutLayout);
        PoolKernel.avgPool2dBackward(b.data, b.offset, w.n(), w.c(), w.h(), w.w(), w.kh(), w.kw(), w.strideH(),
                w.strideW(), w.padH(), w.padW(), countIncludePad, cpu(gradIn).floats());
    }

    // ---- optimizer updates -------------------------------------------------------------------

    @Override
    public void adamStep(AdamStep step, int n, Storage param, int paramOffset, Storage grad, int gradOffset,
                         Storage mask, int maskOffset, Storage expAvg, int expAvgOffset, Storage expAvgSq,
                         int expAvgSqOffset) {
        float[] w = cpu(param).floats();
        float[] g = cpu(grad).floats();
        float[] mk = mask == null ? null : cpu(mask).floats();
        float[] m = cpu(expAvg).floats();
        float[] v = cpu(expAvgSq).floats();
        Parallel.forRange(n, StridedLoop.GRAIN, (lo, hi) -> AdamKernel.run(step, w, paramOffset, g, gradOffset,
                mk, maskOffset, m, expAvgOffset, v, expAvgSqOffset, lo, hi));
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** A contiguous float block: the storage itself when the layout already is one, else a copy. */
    private record Block(float[] data, int offset) {}

    private Block contiguousBlock(Storage src, Layout layout) {
        if (layout.isContiguous()) {
            return new Block(cpu(src).floats(), layout.offset());
        }
        return new Block(readFloats(src, layout), 0);
    }

    private int[] contiguousInts(Storage index, Layout layout) {
        return layout.isContiguous() && layout.offset() == 0 ? cpu(index).ints() : readInts(index, layout);
    }

    private static int product(Shape shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= shape.dim(i);
        }
        return p;
    }
}
