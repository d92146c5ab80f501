package dev.shears.tensor;

/**
 * Geometry of a 2-D convolution or pooling window.
 *
 * @param kh      window height
 * @param kw      window width
 * @param strideH vertical stride (≥ 1)
 * @param strideW horizontal stride (≥ 1)
 * @param padH    zero padding on top and bottom (≥ 0)
 * @param padW    zero padding left and right (≥ 0)
 * @param dilH    vertical dilation (≥ 1)
 * @param dilW    horizontal dilation (≥ 1)
 */
public record Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
    public Kernel2d {
        if (kh < 1 || kw < 1) {
            throw new ShapeException("Kernel2d: window " + kh + "x" + kw + " must be at least 1x1");
        }
        if (strideH < 1 || strideW < 1) {
            throw new ShapeException("Kernel2d: stride " + strideH + "x" + strideW + " must be at least 1");
        }
        if (padH < 0 || padW < 0) {
            throw new ShapeException("Kernel2d: padding " + padH + "x" + padW + " must not be negative");
        }
        if (dilH < 1 || dilW < 1) {
            throw new ShapeException("Kernel2d: dilation " + dilH + "x" + dilW + " must be at least 1");
        }
    }

    /** A square window with equal stride and padding on both axes and no dilation. */
    public static Kernel2d square(int size, int stride, int pad) {
        return new Kernel2d(size, size, stride, stride, pad, pad, 1, 1);
    }
}
