package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * An immutable keep/prune pattern over a tensor shape: 1 keeps an element, 0 prunes it. The
 * pruned value of a weight {@code w} is {@code w ⊙ mask} ({@link #apply}).
 *
 * <p>Masks compose: iterative pruning intersects them ({@link #and}), regrowth unites them
 * ({@link #or}). Every operation returns a new mask. Elements are addressed by their row-major
 * (flat) index, as in {@link Tensor#toFloatArray()}.
 */
public final class Mask {
    private final Shape shape;
    // One byte per element, 0 or 1, row-major; never exposed, so the mask cannot change.
    private final byte[] bits;
    private final int kept;

    private Mask(Shape shape, byte[] bits) {
        this.shape = shape;
        this.bits = bits;
        int k = 0;
        for (byte b : bits) {
            k += b;
        }
        this.kept = k;
    }

    // ==== creation ==============================================================================

    /** The mask that keeps every element of {@code shape}. */
    public static Mask ones(Shape shape) {
        byte[] bits = new byte[shape.numel()];
        Arrays.fill(bits, (byte) 1);
        return new Mask(shape, bits);
    }

    /** The mask that prunes every element of {@code shape}. */
    public static Mask zeros(Shape shape) {
        return new Mask(shape, new byte[shape.numel()]);
    }

    /**
     * The mask of {@code shape} keeping exactly the elements at the flat indices {@code kept} (in
     * any order).
     *
     * @throws IllegalArgumentException naming the index when one is out of range or repeated
     */
    public static Mask fromKeptIndices(Shape shape, int[] kept) {
        byte[] bits = new byte[shape.numel()];
        for (int i = 0; i < kept.length; i++) {
            int idx = kept[i];
            if (idx < 0 || idx >= bits.length) {
                throw new IllegalArgumentException("Mask.fromKeptIndices: index " + idx + " (position " + i
                        + ") is outside [0, " + bits.length + ") for shape " + shape);
            }
            if (bits[idx] != 0) {
                throw new IllegalArgumentException("Mask.fromKeptIndices: index " + idx + " appears twice (again at position "
                        + i + ") for shape " + shape);
            }
            bits[idx] = 1;
        }
        return new Mask(shape, bits);
    }

    /**
     * The mask held by a U8, I32 or F32 tensor whose every element is 0 or 1 ({@code -0.0} counts
     * as 0).
     *
     * @throws DTypeException for any other dtype
     * @throws IllegalArgumentException naming the first element that is not 0 or 1 and its flat index
     */
    public static Mask of(Tensor values) {
        byte[] bits = new byte[values.numel()];
        switch (values.dtype()) {
            case U8, I32 -> {
                int[] v = values.toIntArray();
                for (int i = 0; i < v.length; i++) {
                    if (v[i] != 0 && v[i] != 1) {
                        throw notBinary(values, Integer.toString(v[i]), i);
                    }
                    bits[i] = (byte) v[i];
                }
            }
            case F32 -> {
                float[] v = values.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    if (v[i] != 0f && v[i] != 1f) {
                        throw notBinary(values, Float.toString(v[i]), i);
                    }
                    bits[i] = (byte) v[i];
                }
            }
            default -> throw new DTypeException("Mask.of: expected U8, I32 or F32, got " + values.dtype()
                    + " (shape " + values.shape() + ")");
        }
        return new Mask(values.shape(), bits);
    }

    private static IllegalArgumentException notBinary(Tensor values, String value, int index) {
        return new IllegalArgumentException("Mask.of: value " + value + " at flat index " + index + " is not 0 or 1 (shape "
                + values.shape() + ", " + values.dtype() + ")");
    }

    // ==== queries ===============================================================================

    /** The shape this mask covers. */
    public Shape shape() {
        return shape;
    }

    /** Number of elements covered (kept and pruned). */
    public int numel() {
        return bits.length;
    }

    /** Number of kept (1) elements. */
    public int keptCount() {
        return kept;
    }

    /** Fraction of elements kept; 1 for an empty shape (nothing is pruned). */
    public double density() {
        return bits.length == 0 ? 1.0 : (double) kept / bits.length;
    }

    /** Fraction of elements pruned, {@code 1 - density()}. */
    public double sparsity() {
        return 1.0 - density();
    }

    /**
     * Whether the element at row-major index {@code flatIndex} is kept.
     *
     * @throws IndexOutOfBoundsException naming the index and the shape
     */
    public boolean isKept(int flatIndex) {
        if (flatIndex < 0 || flatIndex >= bits.length) {
            throw new IndexOutOfBoundsException("Mask.isKept: index " + flatIndex + " is outside [0, " + bits.length
                    + ") for shape " + shape);
        }
        return bits[flatIndex] != 0;
    }

    /** The flat indices of the kept elements, ascending. */
    public int[] keptIndices() {
        int[] out = new int[kept];
        for (int i = 0, c = 0; c < kept; i++) {
            if (bits[i] != 0) {
                out[c++] = i;
            }
        }
        return out;
    }

    // ==== algebra ===============================================================================

    /** Elements kept by both masks (iterative pruning: a pruned element stays pruned). */
    public Mask and(Mask other) {
        requireSameShape("Mask.and", other);
        byte[] out = new byte[bits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (bits[i] & other.bits[i]);
        }
        return new Mask(shape, out);
    }

    /** Elements kept by either mask (regrowth adds connections to the current ones). */
    public Mask or(Mask other) {
        requireSameShape("Mask.or", other);
        byte[] out = new byte[bits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (bits[i] | other.bits[i]);
        }
        return new Mask(shape, out);
    }

    /** The complement: pruned elements become kept and kept ones pruned. */
    public Mask not() {
        byte[] out = new byte[bits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (bits[i] ^ 1);
        }
        return new Mask(shape, out);
    }

    /**
     * {@code value ⊙ mask}: a new F32 tensor, on {@code value}'s device, with the pruned elements
     * set to {@code +0.0} (a select, not a product, so a pruned infinity or NaN also becomes 0).
     *
     * @throws ShapeException if {@code value}'s shape is not this mask's
     * @throws DTypeException if {@code value} is not F32
     */
    public Tensor apply(Tensor value) {
        if (!value.shape().equals(shape)) {
            throw new ShapeException("Mask.apply: value " + value.shape() + " and mask " + shape + " must have the same shape");
        }
        if (value.dtype() != DType.F32) {
            throw DTypeException.expected("Mask.apply", DType.F32, value);
        }
        return Tensor.where(tensor().to(value.device()), value, Tensor.scalar(0f).to(value.device()));
    }

    // ==== conversion ============================================================================

    /** The mask as a new U8 CPU tensor of 0s and 1s. */
    public Tensor tensor() {
        return Tensor.ofBytes(bits, shape.dims());
    }

    /** The mask as a new F32 CPU tensor of 0s and 1s, ready to multiply with weights. */
    public Tensor toF32() {
        float[] out = new float[bits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = bits[i];
        }
        return Tensor.adopt(out, shape.dims());
    }

    private void requireSameShape(String op, Mask other) {
        if (!shape.equals(other.shape)) {
            throw new ShapeException(op + ": this mask " + shape + " and the other mask " + other.shape
                    + " must have the same shape");
        }
    }

    /** Same shape and same kept elements. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && shape.equals(m.shape) && Arrays.equals(bits, m.bits);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(bits);
    }

    /** {@code Mask[64, 32] kept 1024/2048 (density 0.5000)}. */
    @Override
    public String toString() {
        return "Mask" + shape + " kept " + kept + "/" + bits.length + " (density " + String.format(Locale.ROOT, "%.4f", density()) + ")";
    }
}
