package dev.shears.pruning;

import dev.shears.nn.ArmorLinear;
import dev.shears.sparse.BlockDiagonal;
import dev.shears.sparse.Mask;
import dev.shears.sparse.SemiStructured24;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * ARMOR (methods.md §1): a weight is approximated, in NoWag's normalised space, by
 * {@code A·(V⊙M)·B} with block-diagonal {@code A} (rows/b blocks of b×b) and {@code B} (cols/b
 * blocks) around a 2:4 sparse core, minimising the proxy loss
 * {@code Σ h_j (W̄ − A(V⊙M)B)²_ij / Σ h_j W̄²_ij}. Starting from NoWag-P (A = B = I, V = W̄), each
 * iteration takes one Adam step on A, B and V with the mask fixed, then re-optimises one 2:4 group
 * per b×b tile in closed form (the group drawn with probability ∝ the L1 norm of ∂L/∂S over it; the
 * best of the six supports and its values), which never increases the loss; it stops after
 * {@code iterations} or when the loss has not improved for {@code patience} iterations.
 *
 * <p>The loss decomposes over tiles, so everything is computed tile by tile with plain b×b products
 * in single precision (the loss itself in double). The result folds the normalisation back in:
 * {@code Ŵ = (D_r·A)·S·(B·D_c)}.
 */
public final class Armor {
    private Armor() {}

    /**
     * @param iterations the most iterations
     * @param lr         Adam's rate on A, B and V (betas 0.9/0.999, eps 1e-8, no decay)
     * @param patience   iterations without improvement before stopping
     * @param logEvery   iterations between recorded losses
     */
    public record Settings(int iterations, double lr, int patience, int logEvery) {
        public Settings {
            if (iterations < 0 || !(lr >= 0) || patience < 1 || logEvery < 1) {
                throw new IllegalArgumentException("Armor.Settings: iterations " + iterations + " >= 0, lr " + lr
                        + " >= 0, patience " + patience + " and log interval " + logEvery + " >= 1 needed");
            }
        }

        /** The reference's patience and log interval with the given budget and rate. */
        public static Settings of(int iterations, double lr) {
            return new Settings(iterations, lr, 100, 100);
        }
    }

    /**
     * The factorised weight.
     *
     * @param a          rows/b blocks of b×b, row-major, with D_r folded in
     * @param b          cols/b blocks, with D_c folded in
     * @param core       the sparse core S = V⊙M [rows, cols] (pruned entries zero)
     * @param mask       M
     * @param lossCurve  the proxy loss at iteration 0 (NoWag-P), every logEvery iterations and at the end
     * @param iterations iterations run
     * @param seconds    wall time of the optimisation
     * @param lr         the Adam rate it ran with
     */
    public record Result(int rows, int cols, int block, float[][] a, float[][] b, float[] core, Mask mask,
                         double[] lossCurve, int[] lossSteps, int iterations, double seconds, double lr) {

        public double initialLoss() {
            return lossCurve[0];
        }

        public double finalLoss() {
            return lossCurve[lossCurve.length - 1];
        }

        /** (rows + cols)·b: the parameters A and B add. */
        public long extraParameters() {
            return (long) (rows + cols) * block;
        }

        /** The dense equivalent A·S·B [rows, cols], row-major. */
        public float[] dense() {
            return Tiles.product(rows, cols, block, a, core, b);
        }

        /** The factorised layer A·S·B with {@code bias} [rows] (or none): ARMOR's real sparse form. */
        public ArmorLinear toLayer(Tensor bias) {
            return new ArmorLinear(blockDiagonal(a), SemiStructured24.fromDenseAndMask(Tensor.of(core, rows, cols), mask),
                    blockDiagonal(b), bias);
        }

        private BlockDiagonal blockDiagonal(float[][] blocks) {
            float[] flat = new float[blocks.length * block * block];
            for (int i = 0; i < blocks.length; i++) {
                System.arraycopy(blocks[i], 0, flat, i * block * block, block * block);
            }
            return BlockDiagonal.of(Tensor.of(flat, blocks.length, block, block));
        }
    }

    /**
     * Runs ARMOR on a normalised weight from the 2:4 mask {@code start} (NoWag-P's).
     *
     * @throws IllegalArgumentException if the block does not divide both dimensions or is not a multiple of 4
     */
    public static Result compress(NoWag.Normalized w, Mask start, int block, Settings s, Rng rng) {
        int rows = w.rows();
        int cols = w.cols();
        if (block < 4 || block % 4 != 0 || rows % block != 0 || cols % block != 0) {
            throw new IllegalArgumentException("Armor: block " + block + " must be a multiple of 4 dividing both "
                    + rows + " and " + cols);
        }
        long t0 = System.nanoTime();
        State st = new State(w, start, block);
        List<Double> curve = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        double loss = st.forward();
        curve.add(loss);
        steps.add(0);
        int patience = s.patience();
        int t = 0;
        while (t < s.iterations() && patience > 0) {
            t++;
            st.backward();
            st.adam(s.lr(), t);
            st.forward();
            st.backward(); // ∂L/∂S at the current S for the group draw
            double next = st.sparseStep(rng);
            if (next > (1 - 1e-6) * loss || next > loss - 1e-8) {
                patience--;
            } else {
                patience = s.patience();
            }
            loss = next;
            if (t % s.logEvery() == 0) {
                curve.add(loss);
                steps.add(t);
            }
            st.forward(); // the next iteration's state (the sparse step changed S)
        }
        if (steps.getLast() != t) {
            curve.add(loss);
            steps.add(t);
        }
        return st.result(curve.stream().mapToDouble(Double::doubleValue).toArray(),
                steps.stream().mapToInt(Integer::intValue).toArray(), t, (System.nanoTime() - t0) / 1e9, s.lr());
    }

    /** The optimisation state of one weight. */
    private static final class State {
        final int rows;
        final int cols;
        final int bs;
        final int tileRows;
        final int tileCols;
        final float[] target;   // W̄
        final double[] rowScale;
        final double[] colScale;
        final float[] h;        // per column
        final float[] sqrtH;
        final double zero;      // Σ h W̄²
        final float[][] a;
        final float[][] b;
        final float[] v;
        final boolean[] m;
        final float[] t1;       // S·B per tile, [rows, cols] laid out like W
        final float[] y;        // A·S·B
        final float[] gy;       // ∂L/∂Y
        final float[] gs;       // ∂L/∂S
        final float[][] ga;
        final float[][] gb;
        final float[] gv;
        final Adam adamA;
        final Adam adamB;
        final Adam adamV;

        State(NoWag.Normalized w, Mask start, int block) {
            rows = w.rows();
            cols = w.cols();
            bs = block;
            tileRows = rows / block;
            tileCols = cols / block;
            target = w.normalized();
            rowScale = w.rowScale();
            colScale = w.colScale();
            h = new float[cols];
            sqrtH = new float[cols];
            for (int j = 0; j < cols; j++) {
                h[j] = (float) w.h()[j];
                sqrtH[j] = (float) Math.sqrt(w.h()[j]);
            }
            zero = w.zeroLoss();
            a = identities(tileRows, block);
            b = identities(tileCols, block);
            v = target.clone();
            m = new boolean[rows * cols];
            for (int i = 0; i < m.length; i++) {
                m[i] = start.isKept(i);
            }
            t1 = new float[rows * cols];
            y = new float[rows * cols];
            gy = new float[rows * cols];
            gs = new float[rows * cols];
            ga = new float[tileRows][block * block];
            gb = new float[tileCols][block * block];
            gv = new float[rows * cols];
            adamA = new Adam(tileRows * block * block);
            adamB = new Adam(tileCols * block * block);
            adamV = new Adam(rows * cols);
        }

        static float[][] identities(int n, int block) {
            float[][] out = new float[n][block * block];
            for (float[] id : out) {
                for (int i = 0; i < block; i++) {
                    id[i * block + i] = 1;
                }
            }
            return out;
        }

        float s(int i) {
            return m[i] ? v[i] : 0f;
        }

        /** Y = A·S·B tile by tile (keeping T1 = S·B); returns the loss and sets ∂L/∂Y. */
        double forward() {
            float[] tileS = new float[bs * bs];
            float[] tile = new float[bs * bs];
            double num = 0;
            for (int p = 0; p < tileRows; p++) {
                for (int q = 0; q < tileCols; q++) {
                    Tiles.readMasked(v, m, p, q, bs, cols, tileS);
                    Tiles.mul(tileS, b[q], tile, bs);
                    Tiles.write(t1, p, q, bs, cols, tile);
                    float[] out = new float[bs * bs];
                    Tiles.mul(a[p], tile, out, bs);
                    Tiles.write(y, p, q, bs, cols, out);
                }
            }
            float scale = (float) (2 / zero);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    int k = i * cols + j;
                    float e = y[k] - target[k];
                    num += (double) h[j] * e * e;
                    gy[k] = scale * h[j] * e;
                }
            }
            return num / zero;
        }

        /** ∂L/∂A, ∂L/∂B and ∂L/∂S from ∂L/∂Y. */
        void backward() {
            float[] g = new float[bs * bs];
            float[] tT1 = new float[bs * bs];
            float[] dT1 = new float[bs * bs];
            float[] tileS = new float[bs * bs];
            float[] dS = new float[bs * bs];
            for (float[] x : ga) {
                java.util.Arrays.fill(x, 0f);
            }
            for (float[] x : gb) {
                java.util.Arrays.fill(x, 0f);
            }
            for (int p = 0; p < tileRows; p++) {
                for (int q = 0; q < tileCols; q++) {
                    Tiles.readArray(gy, p, q, bs, cols, g);
                    Tiles.readArray(t1, p, q, bs, cols, tT1);
                    Tiles.mulAddTransposedRight(g, tT1, ga[p], bs);   // dA += G·T1ᵀ
                    Tiles.mulTransposedLeft(a[p], g, dT1, bs);        // dT1 = Aᵀ·G
                    Tiles.mulTransposedRight(dT1, b[q], dS, bs);      // dS = dT1·Bᵀ
                    Tiles.write(gs, p, q, bs, cols, dS);
                    Tiles.readMasked(v, m, p, q, bs, cols, tileS);
                    Tiles.mulAddTransposedLeft(tileS, dT1, gb[q], bs); // dB += Sᵀ·dT1
                }
            }
        }

        void adam(double lr, int t) {
            for (int i = 0; i < gv.length; i++) {
                gv[i] = m[i] ? gs[i] : 0f;
            }
            adamA.step(a, ga, lr, t);
            adamB.step(b, gb, lr, t);
            adamV.step(v, gv, lr, t);
        }

        /** One closed-form 2:4 group update per tile; returns the loss afterwards (exact, from the residual). */
        double sparseStep(Rng rng) {
            double before = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double e = y[i * cols + j] - target[i * cols + j];
                    before += h[j] * e * e;
                }
            }
            double delta = 0;
            int groupsPerRow = bs / 4;
            float[] weights = new float[bs * groupsPerRow];
            for (int p = 0; p < tileRows; p++) {
                for (int q = 0; q < tileCols; q++) {
                    int g = draw(p, q, weights, groupsPerRow, rng);
                    delta += updateGroup(p, q, g / groupsPerRow, g % groupsPerRow);
                }
            }
            return (before + delta) / zero;
        }

        /** A group of tile (p, q) drawn ∝ Σ|∂L/∂S| over its 4 entries (uniformly if all are zero). */
        int draw(int p, int q, float[] weights, int groupsPerRow, Rng rng) {
            double total = 0;
            for (int r = 0; r < bs; r++) {
                int row = p * bs + r;
                for (int k = 0; k < groupsPerRow; k++) {
                    int col = q * bs + 4 * k;
                    float s = 0;
                    for (int c = 0; c < 4; c++) {
                        s += Math.abs(gs[row * cols + col + c]);
                    }
                    weights[r * groupsPerRow + k] = s;
                    total += s;
                }
            }
            if (!(total > 0)) {
                return rng.nextInt(weights.length);
            }
            double u = rng.nextDouble() * total;
            for (int i = 0; i < weights.length; i++) {
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
            return weights.length - 1;
        }

        /**
         * Re-optimises group (row r of tile p, columns 4k..4k+3 of tile q): with R the √h-weighted
         * residual without the group, a = A_p[:, r] and U the group's rows of B_q (× √h), the tile loss
         * is ‖R‖² + 2vᵀu + ‖a‖² vᵀHv (u = U·Rᵀ·a, H = U·Uᵀ); picks the best of the 6 supports and its
         * minimiser, updates V, M and Y, and returns the change of Σ h·e².
         */
        double updateGroup(int p, int q, int r, int k) {
            int row = p * bs + r;
            int col0 = q * bs + 4 * k;
            float[] ap = a[p];
            float[] bq = b[q];
            double aa = 0;
            for (int i = 0; i < bs; i++) {
                aa += (double) ap[i * bs + r] * ap[i * bs + r];
            }
            double[] old = new double[4];
            for (int c = 0; c < 4; c++) {
                old[c] = s(row * cols + col0 + c);
            }
            // U[c][j] = B_q[4k + c][j] · √h_j ; Rᵀa at column j = Σ_i a_i (Y − W̄ − a_i·oldᵀ·Bq[:,j]) √h_j
            double[][] uMat = new double[4][bs];
            for (int c = 0; c < 4; c++) {
                for (int j = 0; j < bs; j++) {
                    uMat[c][j] = bq[(4 * k + c) * bs + j] * sqrtH[q * bs + j];
                }
            }
            double[] rta = new double[bs];
            for (int j = 0; j < bs; j++) {
                int colj = q * bs + j;
                double s = 0;
                for (int i = 0; i < bs; i++) {
                    s += ap[i * bs + r] * (y[(p * bs + i) * cols + colj] - target[(p * bs + i) * cols + colj]);
                }
                double own = 0; // the group's own contribution, removed: aᵀa · oldᵀ·U[:, j] / √h_j · √h_j
                for (int c = 0; c < 4; c++) {
                    own += old[c] * uMat[c][j];
                }
                rta[j] = s * sqrtH[colj] - aa * own;
            }
            double[] u = new double[4];
            double[][] hh = new double[4][4];
            for (int c = 0; c < 4; c++) {
                for (int j = 0; j < bs; j++) {
                    u[c] += uMat[c][j] * rta[j];
                }
                for (int d = 0; d < 4; d++) {
                    for (int j = 0; j < bs; j++) {
                        hh[c][d] += uMat[c][j] * uMat[d][j];
                    }
                }
            }
            double bestCost = Double.POSITIVE_INFINITY;
            int best0 = 0;
            int best1 = 1;
            double[] bestV = new double[2];
            for (int x = 0; x < 4; x++) {
                for (int z = x + 1; z < 4; z++) {
                    double h00 = hh[x][x] + 1e-9;
                    double h11 = hh[z][z] + 1e-9;
                    double h01 = hh[x][z];
                    double det = h00 * h11 - h01 * h01;
                    double s0 = (h11 * u[x] - h01 * u[z]) / det; // (H_PP)⁻¹·u_P
                    double s1 = (h00 * u[z] - h01 * u[x]) / det;
                    double cost = -(u[x] * s0 + u[z] * s1);
                    if (cost < bestCost) {
                        bestCost = cost;
                        best0 = x;
                        best1 = z;
                        bestV[0] = -s0 / (aa + 1e-8);
                        bestV[1] = -s1 / (aa + 1e-8);
                    }
                }
            }
            double[] fresh = new double[4];
            fresh[best0] = bestV[0];
            fresh[best1] = bestV[1];
            // exact loss change: the tile loss as a function of the group values is
            // ‖R‖² + 2vᵀu + aa·vᵀHv; the rest of the loss does not move
            double change = groupLoss(fresh, u, hh, aa) - groupLoss(old, u, hh, aa);
            for (int c = 0; c < 4; c++) {
                int idx = row * cols + col0 + c;
                m[idx] = c == best0 || c == best1;
                if (m[idx]) {
                    v[idx] = (float) fresh[c];
                }
                double dv = fresh[c] - old[c];
                if (dv != 0) { // Y_tile += a · dv · B_q[4k + c, :]
                    for (int i = 0; i < bs; i++) {
                        double ai = ap[i * bs + r] * dv;
                        for (int j = 0; j < bs; j++) {
                            y[(p * bs + i) * cols + q * bs + j] += (float) (ai * bq[(4 * k + c) * bs + j]);
                        }
                    }
                }
            }
            return change;
        }

        static double groupLoss(double[] v, double[] u, double[][] hh, double aa) {
            double lin = 0;
            double quad = 0;
            for (int c = 0; c < 4; c++) {
                lin += v[c] * u[c];
                for (int d = 0; d < 4; d++) {
                    quad += v[c] * hh[c][d] * v[d];
                }
            }
            return 2 * lin + aa * quad;
        }

        Result result(double[] curve, int[] steps, int iterations, double seconds, double lr) {
            float[][] af = new float[tileRows][];
            for (int p = 0; p < tileRows; p++) { // A' = D_r · A
                af[p] = a[p].clone();
                for (int i = 0; i < bs; i++) {
                    float r = (float) rowScale(p * bs + i);
                    for (int j = 0; j < bs; j++) {
                        af[p][i * bs + j] *= r;
                    }
                }
            }
            float[][] bf = new float[tileCols][];
            for (int q = 0; q < tileCols; q++) { // B' = B · D_c
                bf[q] = b[q].clone();
                for (int i = 0; i < bs; i++) {
                    for (int j = 0; j < bs; j++) {
                        bf[q][i * bs + j] *= (float) colScale(q * bs + j);
                    }
                }
            }
            float[] core = new float[rows * cols];
            int[] kept = new int[rows * cols];
            int n = 0;
            for (int i = 0; i < core.length; i++) {
                if (m[i]) {
                    core[i] = v[i];
                    kept[n++] = i;
                }
            }
            Mask mask = Mask.fromKeptIndices(dev.shears.tensor.Shape.of(rows, cols), java.util.Arrays.copyOf(kept, n));
            return new Result(rows, cols, bs, af, bf, core, mask, curve, steps, iterations, seconds, lr);
        }

        double rowScale(int i) {
            return rowScale[i];
        }

        double colScale(int j) {
            return colScale[j];
        }
    }

    /** Adam (betas 0.9/0.999, eps 1e-8, no weight decay) over flat or blocked float arrays. */
    private static final class Adam {
        final float[] m1;
        final float[] m2;

        Adam(int n) {
            m1 = new float[n];
            m2 = new float[n];
        }

        void step(float[][] params, float[][] grads, double lr, int t) {
            int off = 0;
            for (int i = 0; i < params.length; i++) {
                update(params[i], grads[i], off, lr, t);
                off += params[i].length;
            }
        }

        void step(float[] params, float[] grads, double lr, int t) {
            update(params, grads, 0, lr, t);
        }

        private void update(float[] p, float[] g, int off, double lr, int t) {
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            float stepSize = (float) (lr / c1);
            float c2s = (float) Math.sqrt(c2);
            for (int i = 0; i < p.length; i++) {
                float gi = g[i];
                float a = m1[off + i] = 0.9f * m1[off + i] + 0.1f * gi;
                float b = m2[off + i] = 0.999f * m2[off + i] + 0.001f * gi * gi;
                p[i] -= stepSize * a / ((float) Math.sqrt(b) / c2s + 1e-8f);
            }
        }
    }
}
