package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.cpu.AttentionKernel.Dims;
import dev.shears.tensor.cpu.AttentionKernel.View;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused causal attention kernel against its definition ({@link AttentionKernel#forwardReference},
 * {@link AttentionKernel#backwardReference}) on awkward sizes: T and S of 1, primes and lane
 * counts ± 1 (tails of every vector loop and of the 4-row blocks), head dimensions below, at and
 * past the two-vector tile, grouped heads, a key prefix (S > T), strided inputs in the
 * projection layout and with a non-unit last stride, and guard cells around every output.
 */
@Tag("kernel")
class AttentionKernelTest {
    private static final float GUARD = -7777.5f;
    private static final int OFF = 3;

    /** A [b, h, n, d] operand stored as [b, n, h, d] (a projection's layout) or, when spread, with d stride 2. */
    private static View operand(SplittableRandom rnd, int b, int h, int n, int d, boolean spread) {
        int sd = spread ? 2 : 1;
        float[] a = new float[OFF + b * n * h * d * sd + 5];
        Arrays.fill(a, Float.NaN); // cells no view element covers must never be read
        View v = new View(a, OFF, n * h * d * sd, d * sd, h * d * sd, sd);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < h; j++) {
                for (int t = 0; t < n; t++) {
                    for (int c = 0; c < d; c++) {
                        a[v.at(i, j, t) + c * sd] = (float) Operands.gaussian(rnd);
                    }
                }
            }
        }
        return v;
    }

    /** An output [b, h, n, d] stored as [b, n, h, d] with unit d stride, guards everywhere else. */
    private static View output(int b, int h, int n, int d) {
        float[] a = new float[OFF + b * n * h * d + 4];
        Arrays.fill(a, GUARD);
        return new View(a, OFF, n * h * d, d, h * d, 1);
    }

    private static float[] elements(View v, int b, int h, int n, int d) {
        float[] out = new float[b * h * n * d];
        int i = 0;
        for (int x = 0; x < b; x++) {
            for (int y = 0; y < h; y++) {
                for (int t = 0; t < n; t++) {
                    for (int c = 0; c < d; c++) {
                        out[i++] = v.get(x, y, t, c);
                    }
                }
            }
        }
        return out;
    }

    private static void checkGuards(View v, String ctx) {
        float[] a = v.a();
        for (int i = 0; i < OFF; i++) {
            assertEquals(GUARD, a[i], ctx + ": wrote before the output");
        }
        for (int i = a.length - 4; i < a.length; i++) {
            assertEquals(GUARD, a[i], ctx + ": wrote past the output");
        }
    }

    private static void compare(Dims n, boolean spread, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int b = n.batch();
        int hq = n.heads();
        int hk = n.kvHeads();
        View q = operand(rnd, b, hq, n.t(), n.d(), spread);
        View k = operand(rnd, b, hk, n.s(), n.d(), spread);
        View v = operand(rnd, b, hk, n.s(), n.d(), spread);
        View g = operand(rnd, b, hq, n.t(), n.d(), !spread);
        float scale = (float) (1 / Math.sqrt(Math.max(1, n.d())));
        String ctx = n + (spread ? " strided" : "") + " bits " + Simd.BITS + " seed " + seed;

        View outRef = output(b, hq, n.t(), n.d());
        float[] probsRef = new float[b * hq * n.t() * n.s()];
        AttentionKernel.forwardReference(n, scale, q, k, v, outRef, probsRef, 0);
        View out = output(b, hq, n.t(), n.d());
        float[] probs = new float[1 + probsRef.length + 1];
        Arrays.fill(probs, GUARD);
        AttentionKernel.forward(n, scale, q, k, v, out, probs, 1);
        ArrayAssert.assertClose(elements(outRef, b, hq, n.t(), n.d()), elements(out, b, hq, n.t(), n.d()), 1e-4, 1e-5,
                ctx + " out");
        ArrayAssert.assertClose(probsRef, Arrays.copyOfRange(probs, 1, 1 + probsRef.length), 1e-4, 1e-6, ctx + " probs");
        assertEquals(GUARD, probs[0], ctx + ": wrote before probs");
        assertEquals(GUARD, probs[probs.length - 1], ctx + ": wrote past probs");
        checkGuards(out, ctx + " out");
        for (int r = 0; r < b * hq * n.t(); r++) { // masked weights are exact zeros
            int vis = n.visible(r % n.t());
            for (int j = vis; j < n.s(); j++) {
                assertEquals(0f, probs[1 + r * n.s() + j], ctx + " masked weight row " + r + " key " + j);
            }
        }

        View[] ref = {output(b, hq, n.t(), n.d()), output(b, hk, n.s(), n.d()), output(b, hk, n.s(), n.d())};
        AttentionKernel.backwardReference(n, scale, g, q, k, v, probsRef, 0, ref[0], ref[1], ref[2]);
        View[] got = {output(b, hq, n.t(), n.d()), output(b, hk, n.s(), n.d()), output(b, hk, n.s(), n.d())};
        AttentionKernel.backward(n, scale, g, q, k, v, probs, 1, got[0], got[1], got[2]);
        String[] names = {"dq", "dk", "dv"};
        for (int i = 0; i < 3; i++) {
            int heads = i == 0 ? hq : hk;
            int rows = i == 0 ? n.t() : n.s();
            ArrayAssert.assertClose(elements(ref[i], b, heads, rows, n.d()), elements(got[i], b, heads, rows, n.d()),
                    1e-3, 1e-5, ctx + " " + names[i]);
            checkGuards(got[i], ctx + " " + names[i]);
        }
    }

    @Test
    void matchesTheDefinitionOnAwkwardSizes() {
        int l = Simd.LANES;
        int[] ts = {1, 2, 3, 4, 5, 7, l - 1, l, l + 1, 2 * l + 3, 33};
        int[] ds = {1, 3, l - 1, l, l + 1, 2 * l, 2 * l + 1, 37};
        long seed = 1;
        for (int t : ts) {
            for (int d : ds) {
                if (t < 1 || d < 1) {
                    continue;
                }
                compare(new Dims(2, 2, 2, t, t, d), (t + d) % 2 == 0, seed++);
            }
        }
    }

    @Test
    void groupedHeadsAndAKeyPrefix() {
        int l = Simd.LANES;
        long seed = 100;
        for (int[] heads : new int[][] {{3, 1}, {4, 2}, {6, 3}, {1, 1}}) {
            for (int[] ts : new int[][] {{1, 1}, {1, 9}, {3, 8}, {5, 5 + 2 * l}, {l + 1, 2 * l + 2}, {17, 17}}) {
                compare(new Dims(3, heads[0], heads[1], ts[0], ts[1], 5), seed % 2 == 0, seed++);
                compare(new Dims(1, heads[0], heads[1], ts[0], ts[1], 2 * l + 3), seed % 2 == 0, seed++);
            }
        }
    }

    @Test
    void aModelSizedCallIsTheSameForOneAndTwoThreads() {
        Dims n = new Dims(3, 4, 4, 64, 64, 32);
        SplittableRandom rnd = new SplittableRandom(5);
        View q = operand(rnd, 3, 4, 64, 32, false);
        View k = operand(rnd, 3, 4, 64, 32, false);
        View v = operand(rnd, 3, 4, 64, 32, false);
        View g = operand(rnd, 3, 4, 64, 32, false);
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            View out = output(3, 4, 64, 32);
            View dq = output(3, 4, 64, 32);
            View dk = output(3, 4, 64, 32);
            View dv = output(3, 4, 64, 32);
            float[] probs = new float[3 * 4 * 64 * 64];
            Parallel.withThreads(threads, () -> {
                AttentionKernel.forward(n, 0.125f, q, k, v, out, probs, 0);
                AttentionKernel.backward(n, 0.125f, g, q, k, v, probs, 0, dq, dk, dv);
            });
            float[] all = new float[0];
            for (float[] part : new float[][] {out.a(), probs, dq.a(), dk.a(), dv.a()}) {
                int at = all.length;
                all = Arrays.copyOf(all, at + part.length);
                System.arraycopy(part, 0, all, at, part.length);
            }
            results[threads - 1] = all;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(results[0], results[1]);
        compare(n, false, 6);
    }
}
