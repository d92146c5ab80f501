package dev.shears.sparse.cpu;

/**
 * Per-thread work buffers of the sparse kernels, grown on demand and kept for later calls. Each use
 * has its own slot, so a kernel that calls another (ARMOR calls the 2:4 and block kernels) never
 * hands out a buffer that is still in use. Contents are unspecified on return.
 */
final class Scratch {
    /** A transposed panel of an input (CSR: Xᵀ or dYᵀ), or a dense tile of W or of its gradient (2:4, bitmap). */
    static final int INPUT = 0;
    /** A second transposed panel (CSR: dXᵀ, or dYᵀ beside Xᵀ), or one row of a panel's output. */
    static final int OUTPUT = 1;
    /** ARMOR's X·Bᵀ. */
    static final int ARMOR_IN = 2;
    /** ARMOR's 2:4 product, before ·Aᵀ. */
    static final int ARMOR_MID = 3;
    /** The stored accumulators and sums of one register-blocked step. */
    static final int SUMS = 4;
    private static final int FLOAT_SLOTS = 5;

    /** Value offsets of rows at the starts of column ranges (bitmap, transposed product). */
    static final int OFFSETS = 0;
    /** Each tile row's next value while a task walks the tile's columns block by block. */
    static final int ROW_POINTERS = 1;
    private static final int INT_SLOTS = 2;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final float[][] floats = new float[FLOAT_SLOTS][0];
    private final int[][] ints = new int[INT_SLOTS][0];

    private Scratch() {}

    /** This thread's float buffer of the slot, at least {@code size} long. */
    static float[] floats(int slot, int size) {
        float[][] buffers = LOCAL.get().floats;
        if (buffers[slot].length < size) {
            buffers[slot] = new float[size];
        }
        return buffers[slot];
    }

    /** This thread's int buffer of the slot, at least {@code size} long. */
    static int[] ints(int slot, int size) {
        int[][] buffers = LOCAL.get().ints;
        if (buffers[slot].length < size) {
            buffers[slot] = new int[size];
        }
        return buffers[slot];
    }
}
