package dev.shears.tensor;

import java.util.Arrays;

/**
 * How a tensor's elements sit in its storage: shape, per-axis element strides and a start offset.
 * Views (transpose, narrow, broadcast, ...) only build new layouts over the same storage.
 * A stride of 0 repeats an element along that axis (broadcast).
 */
public final class Layout {
    private final Shape shape;
    private final int[] strides;
    private final int offset;

    private Layout(Shape shape, int[] strides, int offset) {
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A row-major contiguous layout starting at element 0. */
    public static Layout contiguous(Shape shape) {
        return new Layout(shape, shape.contiguousStrides(), 0);
    }

    /** A layout with explicit strides and offset (copied). */
    public static Layout of(Shape shape, int[] strides, int offset) {
        if (strides.length != shape.rank()) {
            throw new ShapeException("Layout: " + strides.length + " strides for shape " + shape);
        }
        if (offset < 0) {
            throw new ShapeException("Layout: offset " + offset + " is negative");
        }
        for (int i = 0; i < strides.length; i++) {
            if (strides[i] < 0) {
                throw new ShapeException("Layout: stride " + strides[i] + " at axis " + i + " is negative");
            }
        }
        return new Layout(shape, strides.clone(), offset);
    }

    public Shape shape() {
        return shape;
    }

    /** A copy of the element strides. */
    public int[] strides() {
        return strides.clone();
    }

    /** Stride of {@code axis} (negative axes count from the end). */
    public int stride(int axis) {
        return strides[shape.axis(axis, "Layout.stride")];
    }

    /** Storage index of the first element. */
    public int offset() {
        return offset;
    }

    /** Whether the elements are row-major and gap-free from {@link #offset()}. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            int d = shape.dim(i);
            if (d != 1 && strides[i] != expected) {
                return false;
            }
            expected *= d;
        }
        return true;
    }

    /** One past the largest storage index this layout touches (offset when empty). */
    public long extent() {
        if (shape.numel() == 0) {
            return offset;
        }
        long last = offset;
        for (int i = 0; i < strides.length; i++) {
            last += (long) (shape.dim(i) - 1) * strides[i];
        }
        return last + 1;
    }

    /** Storage index of the element at the given multi-index (no bounds check beyond the rank). */
    public int indexOf(int... index) {
        int at = offset;
        for (int i = 0; i < index.length; i++) {
            at += index[i] * strides[i];
        }
        return at;
    }

    // ---- views -----------------------------------------------------------------------------

    /** Swaps two axes. */
    public Layout transpose(int axis0, int axis1) {
        int a = shape.axis(axis0, "transpose");
        int b = shape.axis(axis1, "transpose");
        int[] perm = new int[shape.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Reorders axes: result axis i is input axis {@code order[i]}. */
    public Layout permute(int... order) {
        int r = shape.rank();
        if (order.length != r) {
            throw new ShapeException("permute: " + Arrays.toString(order) + " has " + order.length
                    + " axes but shape " + shape + " has rank " + r);
        }
        boolean[] seen = new boolean[r];
        int[] dims = new int[r];
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            int a = shape.axis(order[i], "permute");
            if (seen[a]) {
                throw new ShapeException("permute: axis " + order[i] + " appears twice in " + Arrays.toString(order));
            }
            seen[a] = true;
            dims[i] = shape.dim(a);
            st[i] = strides[a];
        }
        return new Layout(Shape.of(dims), st, offset);
    }

    /** Keeps {@code length} elements of {@code axis} starting at {@code start}. */
    public Layout narrow(int axis, int start, int length) {
        int a = shape.axis(axis, "narrow");
        int size = shape.dim(a);
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw new ShapeException("narrow: range [" + start + ", " + ((long) start + length) + ") is outside axis "
                    + axis + " of size " + size + " (shape " + shape + ")");
        }
        return new Layout(shape.with(a, length), strides.clone(), length == 0 ? offset : offset + start * strides[a]);
    }

    /** Broadcasts to {@code target} (NumPy rules) with stride-0 axes; no data moves. */
    public Layout expand(Shape target) {
        int r = target.rank();
        if (r < shape.rank()) {
            throw new ShapeException("expand: cannot expand " + shape + " to lower rank " + target);
        }
        int[] st = new int[r];
        int lead = r - shape.rank();
        for (int i = 0; i < r; i++) {
            int t = target.dim(i);
            if (i < lead) {
                st[i] = 0;
                continue;
            }
            int s = shape.dim(i - lead);
            if (s == t) {
                st[i] = strides[i - lead];
            } else if (s == 1) {
                st[i] = 0;
            } else {
                throw new ShapeException("expand: cannot expand " + shape + " to " + target + " (axis " + i
                        + ": " + s + " vs " + t + "; only size-1 axes can be expanded)");
            }
        }
        return new Layout(target, st, offset);
    }

    /** Inserts a size-1 axis at {@code axis} (in the result's numbering, so -1 appends). */
    public Layout unsqueeze(int axis) {
        int r = shape.rank() + 1;
        if (axis < -r || axis >= r) {
            throw new ShapeException("unsqueeze: axis " + axis + " is out of range for shape " + shape
                    + " (the result has rank " + r + "; valid axes " + (-r) + ".." + (r - 1) + ")");
        }
        int a = axis < 0 ? axis + r : axis;
        int[] dims = new int[r];
        int[] st = new int[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == a) {
                dims[i] = 1;
                st[i] = j < shape.rank() ? strides[j] * shape.dim(j) : 1;
            } else {
                dims[i] = shape.dim(j);
                st[i] = strides[j];
                j++;
            }
        }
        return new Layout(Shape.of(dims), st, offset);
    }

    /** Removes {@code axis}, which must have size 1. */
    public Layout squeeze(int axis) {
        int a = shape.axis(axis, "squeeze");
        if (shape.dim(a) != 1) {
            throw new ShapeException("squeeze: axis " + axis + " has size " + shape.dim(a) + ", not 1 (shape " + shape + ")");
        }
        int[] st = new int[shape.rank() - 1];
        for (int i = 0, j = 0; i < shape.rank(); i++) {
            if (i != a) {
                st[j++] = strides[i];
            }
        }
        return new Layout(shape.remove(a), st, offset);
    }

    /** Removes every size-1 axis. */
    public Layout squeeze() {
        Layout l = this;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            if (shape.dim(i) == 1) {
                l = l.squeeze(i);
            }
        }
        return l;
    }

    /**
     * This layout reinterpreted as {@code target} without moving data, or {@code null} when the
     * strides do not allow it (the caller then copies). Element counts must already match.
     */
    public Layout viewAs(Shape target) {
        if (isContiguous() || shape.numel() == 0) {
            return new Layout(target, target.contiguousStrides(), offset);
        }
        // Old axes fall into chunks that are contiguous with each other; each chunk must be
        // matched exactly by a run of new axes, which then get strides within the chunk.
        int[] newStrides = new int[target.rank()];
        int viewAxis = target.rank() - 1;
        long chunkBaseStride = strides[shape.rank() - 1];
        long chunkNumel = 1;
        long viewNumel = 1;
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            chunkNumel *= shape.dim(axis);
            boolean chunkEnds = axis == 0
                    || (shape.dim(axis - 1) != 1 && strides[axis - 1] != chunkNumel * chunkBaseStride);
            if (!chunkEnds) {
                continue;
            }
            while (viewAxis >= 0 && (viewNumel < chunkNumel || target.dim(viewAxis) == 1)) {
                newStrides[viewAxis] = (int) (viewNumel * chunkBaseStride);
                viewNumel *= target.dim(viewAxis);
                viewAxis--;
            }
            if (viewNumel != chunkNumel) {
                return null;
            }
            if (axis > 0) {
                chunkBaseStride = strides[axis - 1];
                chunkNumel = 1;
                viewNumel = 1;
            }
        }
        return viewAxis == -1 ? new Layout(target, newStrides, offset) : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && l.offset == offset && l.shape.equals(shape) && Arrays.equals(l.strides, strides);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * shape.hashCode() + Arrays.hashCode(strides)) + offset;
    }

    @Override
    public String toString() {
        return "Layout" + shape + " strides " + Arrays.toString(strides) + " offset " + offset;
    }
}
