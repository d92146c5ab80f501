package dev.shears.tensor.spi;

/**
 * A 2-D sliding window over NCHW images, shared by im2col/col2im and pooling.
 *
 * @param n      batch size
 * @param c      channels
 * @param h      input height
 * @param w      input width
 * @param kh     window height
 * @param kw     window width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH   zero padding top and bottom
 * @param padW   zero padding left and right
 * @param dilH   vertical dilation
 * @param dilW   horizontal dilation
 */
public record Window2d(int n, int c, int h, int w, int kh, int kw,
                       int strideH, int strideW, int padH, int padW, int dilH, int dilW) {

    /** Output height: {@code (h + 2 padH - dilH (kh - 1) - 1) / strideH + 1}. */
    public int outH() {
        return (h + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
    }

    /** Output width. */
    public int outW() {
        return (w + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
    }
}
