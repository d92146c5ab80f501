package dev.shears.cuda.sparse;

/**
 * A CPU model of the warp-wide instructions the sparse kernels use, written from the PTX ISA's
 * fragment layouts (kernels.md §1.2), not from our kernels: given what each of the 32 lanes holds in
 * its registers, it computes what the hardware returns to each lane. A 32-bit register holds two
 * 16-bit elements, the lower-indexed one in bits 15:0. Lane {@code l} has groupID {@code g = l >> 2}
 * and thread-in-group {@code t = l & 3}.
 */
final class WarpModel {
    static final int LANES = 32;

    private WarpModel() {}

    /**
     * {@code mma.sp::ordered_metadata.m16n8k32.row.col.f32.{f16,bf16}} with sparsity selector 0:
     * {@code D[16, 8] = A[16, 32] · B[32, 8] + C}, accumulated into {@code c[lane][4]}.
     * <ul>
     *   <li>A, compressed to 16×16: lane (g, t) holds columns 2t, 2t+1 of row g in a[0], of row
     *       g+8 in a[1], and columns 8+2t, 8+2t+1 of rows g, g+8 in a[2], a[3]. Compressed columns
     *       2q, 2q+1 are the two kept values of group q (logical columns 4q .. 4q+3).</li>
     *   <li>Metadata: only lanes t = 0, 1 are read. Lane (g, 0) bits 15:0 hold row g's groups 0..3
     *       (group j at bits 4j..4j+3), bits 31:16 row g+8's; lane (g, 1) the same for groups 4..7.
     *       A nibble's bits 1:0 name the position (0..3) of the group's first kept value, bits 3:2
     *       that of the second.</li>
     *   <li>B: lane (g, t) register i holds rows k = 8i + 2t, 8i + 2t + 1 of column n = g.</li>
     *   <li>C/D: lane (g, t) holds (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1).</li>
     * </ul>
     */
    static void mmaSp(GpuHalf h, int[][] a, int[][] b, int[] e, float[][] c) {
        float[][] compressed = fragmentA(h, a);
        float[][] logical = new float[16][32];
        for (int row = 0; row < 16; row++) {
            for (int q = 0; q < 8; q++) {
                int owner = 4 * (row % 8) + q / 4; // lane (g = row % 8, t = q / 4)
                int half = row < 8 ? e[owner] & 0xFFFF : e[owner] >>> 16;
                int nibble = half >>> (4 * (q % 4)) & 0xF;
                int first = nibble & 3;
                int second = nibble >> 2;
                if (first >= second) {
                    throw new IllegalStateException("row " + row + ", group " + q + ": metadata nibble 0x"
                            + Integer.toHexString(nibble) + " is not an ascending pair (undefined on the hardware)");
                }
                logical[row][4 * q + first] = compressed[row][2 * q];
                logical[row][4 * q + second] = compressed[row][2 * q + 1];
            }
        }
        float[][] bm = new float[32][8];
        for (int lane = 0; lane < LANES; lane++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 2; j++) {
                    bm[8 * i + 2 * (lane & 3) + j][lane >> 2] = element(h, b[lane][i], j);
                }
            }
        }
        accumulate(logical, bm, 32, c);
    }

    /**
     * {@code mma.sync.m16n8k16.row.col.f32.{f16,bf16}}: A 16×16 laid out as the compressed A of
     * {@link #mmaSp}; B register 0 holds rows 2t, 2t+1 and register 1 rows 8+2t, 8+2t+1 of column g.
     */
    static void mmaDense(GpuHalf h, int[][] a, int[][] b, float[][] c) {
        float[][] am = fragmentA(h, a);
        float[][] bm = new float[16][8];
        for (int lane = 0; lane < LANES; lane++) {
            int g = lane >> 2;
            int t = lane & 3;
            for (int j = 0; j < 2; j++) {
                bm[2 * t + j][g] = element(h, b[lane][0], j);
                bm[8 + 2 * t + j][g] = element(h, b[lane][1], j);
            }
        }
        accumulate(am, bm, 16, c);
    }

    /**
     * {@code ldmatrix.sync.aligned.m8n8.x4.shared.b16}: lane {@code 8j + r} gives the address (in
     * 16-bit elements of {@code smem}) of row r of matrix j, 8 contiguous elements; lane l receives
     * in register j elements 2(l%4), 2(l%4)+1 of row l/4 of matrix j.
     */
    static int[][] ldmatrixX4(short[] smem, int[] rowAddress) {
        int[][] regs = new int[LANES][4];
        for (int lane = 0; lane < LANES; lane++) {
            for (int j = 0; j < 4; j++) {
                int addr = rowAddress[8 * j + lane / 4] + 2 * (lane % 4);
                regs[lane][j] = pack(smem[addr], smem[addr + 1]);
            }
        }
        return regs;
    }

    /** Two 16-bit elements in one register, {@code lo} in bits 15:0. */
    static int pack(short lo, short hi) {
        return (lo & 0xFFFF) | (hi & 0xFFFF) << 16;
    }

    /** The 16×16 A operand from its fragments: lane (g, t) holds rows g, g+8 × columns 2t, 2t+1, 8+2t, 8+2t+1. */
    private static float[][] fragmentA(GpuHalf h, int[][] a) {
        float[][] m = new float[16][16];
        for (int lane = 0; lane < LANES; lane++) {
            int g = lane >> 2;
            int t = lane & 3;
            for (int j = 0; j < 2; j++) {
                m[g][2 * t + j] = element(h, a[lane][0], j);
                m[g + 8][2 * t + j] = element(h, a[lane][1], j);
                m[g][8 + 2 * t + j] = element(h, a[lane][2], j);
                m[g + 8][8 + 2 * t + j] = element(h, a[lane][3], j);
            }
        }
        return m;
    }

    private static float element(GpuHalf h, int register, int j) {
        return h.decode((short) (register >>> (16 * j)));
    }

    private static void accumulate(float[][] a, float[][] b, int depth, float[][] c) {
        for (int lane = 0; lane < LANES; lane++) {
            int g = lane >> 2;
            int t = lane & 3;
            for (int i = 0; i < 4; i++) {
                int row = g + 8 * (i >> 1);
                int col = 2 * t + (i & 1);
                double s = c[lane][i];
                for (int k = 0; k < depth; k++) {
                    s += (double) a[row][k] * b[k][col];
                }
                c[lane][i] = (float) s;
            }
        }
    }
}
