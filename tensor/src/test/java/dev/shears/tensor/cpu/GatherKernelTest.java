package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("kernel")
class GatherKernelTest {
    private static final int[] OUTERS = {1, 3};
    private static final int[] AXES = {1, 2, 7, 17};
    private static final int[] INNERS = {1, 2, 3, 7, 8, 17, 33};

    private static float[] randomFloats(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            v[j] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static int[] randomIndices(int n, int bound, SplittableRandom rng) {
        int[] v = new int[n];
        for (int j = 0; j < n; j++) {
            v[j] = rng.nextInt(bound);
        }
        return v;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String ctx) {
        assertEquals(expected.length, actual.length, ctx);
        for (int j = 0; j < expected.length; j++) {
            if (Float.floatToRawIntBits(expected[j]) != Float.floatToRawIntBits(actual[j])) {
                throw new AssertionError(ctx + ": at " + j + " expected " + expected[j] + " but was " + actual[j]);
            }
        }
    }

    private static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += (double) a[aOff + j] * b[bOff + j];
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void firstOutOfRangeFindsFirstBadIndex(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] bad = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1}; // 0 and 1 mean bound and bound + 1
        for (int n : AwkwardSizes.all()) {
            for (int bound : new int[] {1, 5, 1000}) {
                int off = rng.nextInt(3);
                int[] index = randomIndices(off + n, bound, rng);
                String ctx = "seed " + seed + " n " + n + " bound " + bound + " off " + off;
                assertEquals(-1, GatherKernel.firstOutOfRange(index, off, n, bound), ctx);
                assertEquals(-1, GatherKernel.referenceFirstOutOfRange(index, off, n, bound), ctx);
                for (int b : bad) {
                    int v = b == 0 ? bound : b == 1 ? bound + 1 : b;
                    int[] copy = index.clone();
                    int at = rng.nextInt(n);
                    copy[off + at] = v;
                    if (at + 1 < n) {
                        copy[off + at + 1 + rng.nextInt(n - at - 1)] = -7; // a later bad index must not win
                    }
                    if (off > 0) {
                        copy[off - 1] = -3; // before the range: ignored
                    }
                    assertEquals(at, GatherKernel.referenceFirstOutOfRange(copy, off, n, bound), ctx + " value " + v);
                    assertEquals(at, GatherKernel.firstOutOfRange(copy, off, n, bound), ctx + " value " + v);
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 4})
    void gatherMatchesReferenceAndNaiveExpectation(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int outer : OUTERS) {
            for (int axis : AXES) {
                for (int idxSize : new int[] {1, 3, 17}) {
                    for (int inner : INNERS) {
                        String ctx = "seed " + seed + " [" + outer + ", " + axis + "->" + idxSize + ", " + inner + "]";
                        int srcOff = rng.nextInt(3);
                        int idxOff = rng.nextInt(3);
                        int outOff = rng.nextInt(3);
                        float[] src = randomFloats(srcOff + outer * axis * inner, rng);
                        int[] index = randomIndices(idxOff + outer * idxSize * inner, axis, rng);
                        float[] ref = new float[outOff + outer * idxSize * inner];
                        GatherKernel.referenceGather(src, srcOff, outer, axis, inner, index, idxOff, idxSize, ref, outOff);
                        float[] got = new float[ref.length];
                        GatherKernel.gather(src, srcOff, outer, axis, inner, index, idxOff, idxSize, got, outOff);
                        assertBitsEqual(ref, got, ctx);
                        // Naive: the same definition through explicit 3-D coordinates.
                        for (int o = 0; o < outer; o++) {
                            for (int j = 0; j < idxSize; j++) {
                                for (int i = 0; i < inner; i++) {
                                    int a = index[idxOff + o * idxSize * inner + j * inner + i];
                                    assertEquals(src[srcOff + o * axis * inner + a * inner + i],
                                            got[outOff + o * idxSize * inner + j * inner + i], ctx);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 6})
    void indexSelectMatchesReference(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int outer : OUTERS) {
            for (int axis : AXES) {
                for (int m : new int[] {0, 1, 4, 31}) {
                    for (int inner : INNERS) {
                        String ctx = "seed " + seed + " [" + outer + ", " + axis + "->" + m + ", " + inner + "]";
                        int srcOff = rng.nextInt(3);
                        int idxOff = rng.nextInt(3);
                        int outOff = rng.nextInt(3);
                        float[] src = randomFloats(srcOff + outer * axis * inner, rng);
                        int[] index = randomIndices(idxOff + m, axis, rng);
                        float[] ref = new float[outOff + outer * m * inner];
                        GatherKernel.referenceIndexSelect(src, srcOff, outer, axis, inner, index, idxOff, m, ref, outOff);
                        float[] got = new float[ref.length];
                        GatherKernel.indexSelect(src, srcOff, outer, axis, inner, index, idxOff, m, got, outOff);
                        assertBitsEqual(ref, got, ctx);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 8})
    void scatterAddMatchesReferenceNaiveAndIsGathersAdjoint(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int outer : OUTERS) {
            for (int axis : AXES) {
                for (int idxSize : new int[] {1, 3, 17}) {
                    for (int inner : INNERS) {
                        String ctx = "seed " + seed + " [" + outer + ", " + idxSize + "->" + axis + ", " + inner + "]";
                        int dstOff = rng.nextInt(3);
                        int idxOff = rng.nextInt(3);
                        int srcOff = rng.nextInt(3);
                        int dstLen = outer * axis * inner;
                        int srcLen = outer * idxSize * inner;
                        float[] dst0 = randomFloats(dstOff + dstLen, rng); // accumulates onto existing values
                        int[] index = randomIndices(idxOff + srcLen, axis, rng);
                        float[] src = randomFloats(srcOff + srcLen, rng);
                        float[] ref = dst0.clone();
                        GatherKernel.referenceScatterAdd(ref, dstOff, outer, axis, inner, index, idxOff, idxSize, src, srcOff);
                        float[] got = dst0.clone();
                        GatherKernel.scatterAdd(got, dstOff, outer, axis, inner, index, idxOff, idxSize, src, srcOff);
                        assertBitsEqual(ref, got, ctx);

                        double[] naive = new double[dst0.length];
                        for (int e = 0; e < dst0.length; e++) {
                            naive[e] = dst0[e];
                        }
                        for (int o = 0; o < outer; o++) {
                            for (int j = 0; j < idxSize; j++) {
                                for (int i = 0; i < inner; i++) {
                                    int e = o * idxSize * inner + j * inner + i;
                                    naive[dstOff + o * axis * inner + index[idxOff + e] * inner + i] += src[srcOff + e];
                                }
                            }
                        }
                        ArrayAssert.assertClose(naive, got, 1e-5, 1e-5, ctx);

                        // Adjoint: <gather(x), y> == <x, scatterAdd(0, y)>.
                        float[] x = randomFloats(dstLen, rng);
                        float[] gx = new float[srcLen];
                        GatherKernel.gather(x, 0, outer, axis, inner, index, idxOff, idxSize, gx, 0);
                        float[] sy = new float[dstLen];
                        GatherKernel.scatterAdd(sy, 0, outer, axis, inner, index, idxOff, idxSize, src, srcOff);
                        double lhs = dot(gx, 0, src, srcOff, srcLen);
                        double rhs = dot(x, 0, sy, 0, dstLen);
                        assertEquals(lhs, rhs, 1e-5 * (1 + srcLen), ctx + " adjoint");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {9, 10})
    void indexAddMatchesReferenceNaiveAndIsIndexSelectsAdjoint(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int outer : OUTERS) {
            for (int axis : AXES) {
                for (int m : new int[] {0, 1, 4, 31}) {
                    for (int inner : INNERS) {
                        String ctx = "seed " + seed + " [" + outer + ", " + m + "->" + axis + ", " + inner + "]";
                        int dstOff = rng.nextInt(3);
                        int idxOff = rng.nextInt(3);
                        int srcOff = rng.nextInt(3);
                        int dstLen = outer * axis * inner;
                        int srcLen = outer * m * inner;
                        float[] dst0 = randomFloats(dstOff + dstLen, rng);
                        int[] index = randomIndices(idxOff + m, axis, rng);
                        float[] src = randomFloats(srcOff + srcLen, rng);
                        float[] ref = dst0.clone();
                        GatherKernel.referenceIndexAdd(ref, dstOff, outer, axis, inner, index, idxOff, m, src, srcOff);
                        float[] got = dst0.clone();
                        GatherKernel.indexAdd(got, dstOff, outer, axis, inner, index, idxOff, m, src, srcOff);
                        assertBitsEqual(ref, got, ctx);

                        double[] naive = new double[dst0.length];
                        for (int e = 0; e < dst0.length; e++) {
                            naive[e] = dst0[e];
                        }
                        for (int o = 0; o < outer; o++) {
                            for (int j = 0; j < m; j++) {
                                for (int i = 0; i < inner; i++) {
                                    naive[dstOff + o * axis * inner + index[idxOff + j] * inner + i] +=
                                            src[srcOff + o * m * inner + j * inner + i];
                                }
                            }
                        }
                        ArrayAssert.assertClose(naive, got, 1e-5, 1e-5, ctx);

                        float[] x = randomFloats(dstLen, rng);
                        float[] sx = new float[srcLen];
                        GatherKernel.indexSelect(x, 0, outer, axis, inner, index, idxOff, m, sx, 0);
                        float[] ay = new float[dstLen];
                        GatherKernel.indexAdd(ay, 0, outer, axis, inner, index, idxOff, m, src, srcOff);
                        assertEquals(dot(sx, 0, src, srcOff, srcLen), dot(x, 0, ay, 0, dstLen), 1e-5 * (1 + srcLen),
                                ctx + " adjoint");
                    }
                }
            }
        }
    }

    @Test
    void largeAddsAreThreadCountIndependentAndMatchReference() {
        long seed = 11;
        SplittableRandom rng = new SplittableRandom(seed);
        // Embedding-style backward: few destination rows, many duplicate indices, wide rows
        // (indexAdd splits the axis into ranges), and rows wider than one inner block.
        int[][] shapes = {{1, 50, 256, 5000}, {2, 7, 2500, 300}, {3, 1000, 1, 20000}};
        for (int[] s : shapes) {
            int outer = s[0];
            int axis = s[1];
            int inner = s[2];
            int m = s[3];
            String ctx = "seed " + seed + " outer " + outer + " axis " + axis + " inner " + inner + " m " + m;
            float[] src = randomFloats(outer * m * inner, rng);
            int[] index1 = randomIndices(m, axis, rng);
            float[] ref = new float[outer * axis * inner];
            GatherKernel.referenceIndexAdd(ref, 0, outer, axis, inner, index1, 0, m, src, 0);
            float[] one = new float[ref.length];
            Parallel.withThreads(1, () -> GatherKernel.indexAdd(one, 0, outer, axis, inner, index1, 0, m, src, 0));
            float[] many = new float[ref.length];
            GatherKernel.indexAdd(many, 0, outer, axis, inner, index1, 0, m, src, 0);
            assertBitsEqual(ref, one, ctx + " indexAdd 1 thread");
            assertBitsEqual(ref, many, ctx + " indexAdd " + Parallel.threads() + " threads");

            int[] indexFull = randomIndices(outer * m * inner, axis, rng);
            float[] sref = new float[outer * axis * inner];
            GatherKernel.referenceScatterAdd(sref, 0, outer, axis, inner, indexFull, 0, m, src, 0);
            float[] sOne = new float[sref.length];
            Parallel.withThreads(1, () -> GatherKernel.scatterAdd(sOne, 0, outer, axis, inner, indexFull, 0, m, src, 0));
            float[] sMany = new float[sref.length];
            GatherKernel.scatterAdd(sMany, 0, outer, axis, inner, indexFull, 0, m, src, 0);
            assertBitsEqual(sref, sOne, ctx + " scatterAdd 1 thread");
            assertBitsEqual(sref, sMany, ctx + " scatterAdd " + Parallel.threads() + " threads");
        }
    }

    @Test
    void largeGatherAndIndexSelectMatchReference() {
        long seed = 12;
        SplittableRandom rng = new SplittableRandom(seed);
        int outer = 5;
        int axis = 300;
        int inner = 129;
        int m = 700;
        float[] src = randomFloats(outer * axis * inner, rng);
        int[] index = randomIndices(outer * m * inner, axis, rng);
        float[] ref = new float[outer * m * inner];
        GatherKernel.referenceGather(src, 0, outer, axis, inner, index, 0, m, ref, 0);
        float[] got = new float[ref.length];
        GatherKernel.gather(src, 0, outer, axis, inner, index, 0, m, got, 0);
        assertBitsEqual(ref, got, "gather seed " + seed);
        GatherKernel.referenceIndexSelect(src, 0, outer, axis, inner, index, 0, m, ref, 0);
        GatherKernel.indexSelect(src, 0, outer, axis, inner, index, 0, m, got, 0);
        assertBitsEqual(ref, got, "indexSelect seed " + seed);
        int[] firstBad = index.clone();
        firstBad[index.length - 2] = axis;
        assertEquals(index.length - 2, GatherKernel.firstOutOfRange(firstBad, 0, index.length, axis));
    }
}
