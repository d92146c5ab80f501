package dev.shears.tensor;

/** Renders a short, single-line description of a tensor for {@code toString()}. */
final class TensorFormat {
    private static final int PREVIEW = 8;

    private TensorFormat() {}

    static String describe(Tensor t) {
        StringBuilder sb = new StringBuilder("Tensor").append(t.shape()).append(' ').append(t.dtype())
                .append(' ').append(t.device());
        int n = t.numel();
        if (n == 0) {
            return sb.append(" []").toString();
        }
        Tensor head = t.flatten().narrow(0, 0, Math.min(n, PREVIEW));
        sb.append(" [");
        if (t.dtype() == DType.F32) {
            float[] v = head.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(v[i]);
            }
        } else {
            int[] v = head.toIntArray();
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(v[i]);
            }
        }
        return sb.append(n > PREVIEW ? ", ...]" : "]").toString();
    }
}
