package dev.shears.tensor.cpu;

import dev.shears.tensor.parallel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Order statistics in linear expected time: the k-th smallest value (pruning thresholds), the
 * k-th smallest along one axis, and top-k along one axis.
 *
 * <p>Order is {@link Float#compare}'s total order: {@code -0.0 < 0.0}, and every NaN is equal to
 * every other NaN and larger than {@code +Infinity}. Internally each float is mapped to an
 * {@code int} key whose signed order is that total order, so selection runs on integers.
 *
 * <p>Selection is an introselect: Hoare partitioning around a median-of-3 (ninther for larger
 * ranges) pivot; once the partitioning work exceeds a multiple of the input size (adversarial or
 * unlucky inputs) it switches to median-of-medians pivots, and as a last guard sorts the rest.
 * Long inputs (at least {@value #RADIX_MIN} elements) first narrow the candidates with up to three
 * MSD radix passes over the keys (a histogram of 11, 11, then 10 bits, keeping only the bucket
 * that holds the k-th key), so they need no full copy and at most 3 linear passes; the survivors
 * go to the introselect. Sorted, reversed, all-equal and few-distinct inputs stay linear.
 * Sources are never modified.
 *
 * <p>Axis variants view the source as {@code [outer, n, inner]} (contiguous, row-major) and work
 * independently on each of the {@code outer * inner} rows of length {@code n} along the middle
 * axis, in parallel over rows when the work is large; results do not depend on the thread count.
 */
public final class SelectKernel {
    /** Ranges at or below this size are finished by insertion sort. */
    private static final int INSERTION = 16;
    /** Ranges at or above this size use the ninther instead of the median of 3. */
    private static final int NINTHER = 128;
    /** Quickselect may partition this many times the range size before median-of-medians takes over. */
    private static final int QUICK_BUDGET = 6;
    /** Median-of-medians may partition this many times the range size before the rest is sorted. */
    private static final int MOM_BUDGET = 12;
    /** Rows at least this long are narrowed by radix passes before the introselect. */
    static final int RADIX_MIN = 1 << 15;
    /** Roughly the element visits one parallel chunk should do. */
    private static final int GRAIN_WORK = 1 << 15;

    private SelectKernel() {}

    // ---------------------------------------------------------------------------------------------
    // Keys

    /** Maps a float to an int whose signed order is {@link Float#compare}'s order (all NaNs equal). */
    static int key(float x) {
        int b = Float.floatToIntBits(x);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** Inverse of {@link #key} (a NaN comes back as the canonical NaN). */
    static float fromKey(int k) {
        return Float.intBitsToFloat(k ^ ((k >> 31) & 0x7fffffff));
    }

    // ---------------------------------------------------------------------------------------------
    // k-th smallest of a contiguous run

    /**
     * The k-th smallest value of {@code src[off, off + n)} ({@code k} is 0-based: 0 is the minimum,
     * {@code n - 1} the maximum) in {@link Float#compare} order, in O(n). {@code src} is not
     * modified; a scratch buffer of at most {@code n} ints is allocated (for long inputs, only as
     * many as survive the first radix pass).
     * A NaN result is returned as the canonical NaN.
     */
    public static float kthSmallest(float[] src, int off, int n, int k) {
        assert n >= 1 && k >= 0 && k < n : "kthSmallest: n = " + n + ", k = " + k;
        assert off >= 0 && off + n <= src.length;
        return fromKey(selectKey(src, off, n, 1, k, null));
    }

    /** Reference for {@link #kthSmallest}: copy, sort with {@link Arrays#sort(float[])}, index. */
    public static float referenceKthSmallest(float[] src, int off, int n, int k) {
        float[] copy = Arrays.copyOfRange(src, off, off + n);
        Arrays.sort(copy);
        return copy[k];
    }

    // ---------------------------------------------------------------------------------------------
    // k-th smallest along an axis

    /**
     * The k-th smallest along the middle axis of {@code src} viewed as {@code [outer, n, inner]}
     * starting at {@code off}: writes {@code [outer, inner]} results to {@code outValues} and
     * {@code outIndices} (from position 0). The index is the position along the axis
     * ({@code 0 <= index < n}); among elements equal (by {@link Float#compare}) to the k-th value
     * the lowest index is reported, and the value is the source element at that index.
     * {@code outIndices} may be null when only values are needed.
     */
    public static void kthSmallestAlong(float[] src, int off, int outer, int n, int inner, int k,
            float[] outValues, int[] outIndices) {
        assert outer >= 0 && inner >= 0 && n >= 1 && k >= 0 && k < n
                : "kthSmallestAlong: outer = " + outer + ", n = " + n + ", inner = " + inner + ", k = " + k;
        assert off >= 0 && off + (long) outer * n * inner <= src.length;
        assert outValues.length >= (long) outer * inner;
        assert outIndices == null || outIndices.length >= (long) outer * inner;
        int rows = outer * inner;
        Parallel.forRange(rows, rowGrain(n), (lo, hi) -> {
            int[] keys = new int[n];
            for (int r = lo; r < hi; r++) {
                int o = r / inner;
                int i = r - o * inner;
                int base = off + o * n * inner + i;
                int t = selectKey(src, base, n, inner, k, keys);
                int found = 0;
                for (int j = 0, p = base; j < n; j++, p += inner) {
                    if (key(src[p]) == t) {
                        found = j;
                        break;
                    }
                }
                outValues[r] = src[base + found * inner];
                if (outIndices != null) {
                    outIndices[r] = found;
                }
            }
        });
    }

    /** Reference for {@link #kthSmallestAlong}: sorts a copy of each row, then finds the first equal element. */
    public static void referenceKthSmallestAlong(float[] src, int off, int outer, int n, int inner, int k,
            float[] outValues, int[] outIndices) {
        float[] row = new float[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int j = 0; j < n; j++) {
                    row[j] = src[off + (o * n + j) * inner + i];
                }
                float[] sorted = row.clone();
                Arrays.sort(sorted);
                float v = sorted[k];
                int idx = 0;
                while (Float.compare(row[idx], v) != 0) {
                    idx++;
                }
                outValues[o * inner + i] = row[idx];
                if (outIndices != null) {
                    outIndices[o * inner + i] = idx;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // top-k along an axis

    /**
     * The {@code k} largest (or smallest) elements along the middle axis of {@code src} viewed as
     * {@code [outer, n, inner]}: writes {@code [outer, k, inner]} values and axis indices
     * ({@code outIndices} may be null). O(n + k log k) per row.
     *
     * <p>Which elements: everything strictly beyond the threshold (the k-th largest, or k-th
     * smallest, value), then elements equal to the threshold by lowest index until k are taken.
     * Order: with {@code sorted}, by value (descending when {@code largest}, ascending otherwise),
     * equal values by lower index first; without, by ascending index.
     */
    public static void topk(float[] src, int off, int outer, int n, int inner, int k, boolean largest,
            boolean sorted, float[] outValues, int[] outIndices) {
        assert outer >= 0 && inner >= 0 && n >= 0 && k >= 0 && k <= n
                : "topk: outer = " + outer + ", n = " + n + ", inner = " + inner + ", k = " + k;
        assert off >= 0 && off + (long) outer * n * inner <= src.length;
        assert outValues.length >= (long) outer * k * inner;
        assert outIndices == null || outIndices.length >= (long) outer * k * inner;
        if (k == 0) {
            return;
        }
        int rows = outer * inner;
        Parallel.forRange(rows, rowGrain(n), (lo, hi) -> {
            int[] keys = new int[n];
            long[] picked = new long[k];
            for (int r = lo; r < hi; r++) {
                int o = r / inner;
                int i = r - o * inner;
                topkRow(src, off + o * n * inner + i, n, inner, k, largest, sorted, keys, picked);
                int outBase = o * k * inner + i;
                for (int q = 0; q < k; q++) {
                    int j = (int) picked[q];
                    outValues[outBase + q * inner] = src[off + (o * n + j) * inner + i];
                    if (outIndices != null) {
                        outIndices[outBase + q * inner] = j;
                    }
                }
            }
        });
    }

    /**
     * Picks the top k of one strided row into {@code picked} as (order key, index) pairs packed
     * into longs, so sorting the longs orders by value then index; the low 32 bits are the index.
     */
    private static void topkRow(float[] src, int base, int n, int stride, int k, boolean largest, boolean sorted,
            int[] keys, long[] picked) {
        int t = selectKey(src, base, n, stride, largest ? n - k : k - 1, keys);
        int beyond = 0;
        for (int j = 0, p = base; j < n; j++, p += stride) {
            int kj = key(src[p]);
            if (largest ? kj > t : kj < t) {
                beyond++;
            }
        }
        int ties = k - beyond;
        int count = 0;
        for (int j = 0, p = base; j < n && count < k; j++, p += stride) {
            int kj = key(src[p]);
            boolean take;
            if (kj == t) {
                take = ties > 0;
                ties--;
            } else {
                take = largest ? kj > t : kj < t;
            }
            if (take) {
                int order = largest ? ~kj : kj;
                picked[count++] = ((long) order << 32) | j;
            }
        }
        assert count == k;
        if (sorted) {
            Arrays.sort(picked, 0, k);
        }
    }

    /**
     * Reference for {@link #topk}: per row, sorts all indices by (value, index) with a comparator,
     * keeps the first k, and re-sorts them by index when {@code sorted} is false.
     */
    public static void referenceTopk(float[] src, int off, int outer, int n, int inner, int k, boolean largest,
            boolean sorted, float[] outValues, int[] outIndices) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int oo = o;
                int ii = i;
                List<Integer> idx = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    idx.add(j);
                }
                idx.sort((a, b) -> {
                    float va = src[off + (oo * n + a) * inner + ii];
                    float vb = src[off + (oo * n + b) * inner + ii];
                    int c = largest ? Float.compare(vb, va) : Float.compare(va, vb);
                    return c != 0 ? c : Integer.compare(a, b);
                });
                List<Integer> top = new ArrayList<>(idx.subList(0, k));
                if (!sorted) {
                    top.sort(null);
                }
                for (int q = 0; q < k; q++) {
                    int j = top.get(q);
                    outValues[(o * k + q) * inner + i] = src[off + (o * n + j) * inner + i];
                    if (outIndices != null) {
                        outIndices[(o * k + q) * inner + i] = j;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Selection on int keys

    private static int rowGrain(int n) {
        return Math.max(1, GRAIN_WORK / Math.max(1, n));
    }


    /**
     * The k-th smallest key of the strided row {@code src[base + j * stride]}, {@code j < n}.
     * {@code scratch} (null, or at least n long) is used when long enough, else one is allocated.
     */
    static int selectKey(float[] src, int base, int n, int stride, int k, int[] scratch) {
        assert n >= 1 && k >= 0 && k < n;
        if (n < RADIX_MIN) {
            int[] keys = scratch != null && scratch.length >= n ? scratch : new int[n];
            for (int j = 0, p = base; j < n; j++, p += stride) {
                keys[j] = key(src[p]);
            }
            return select(keys, 0, n - 1, k, false);
        }
        // Radix digits are taken from the key with its sign bit flipped, whose unsigned order is the
        // key's signed order. Level 1 reads the source directly: bits 31..21.
        int[] hist = new int[1 << 11];
        for (int j = 0, p = base; j < n; j++, p += stride) {
            hist[(key(src[p]) ^ Integer.MIN_VALUE) >>> 21]++;
        }
        int bucket = 0;
        while (k >= hist[bucket]) {
            k -= hist[bucket++];
        }
        int m = hist[bucket];
        int[] keys = scratch != null && scratch.length >= m ? scratch : new int[m];
        int c = 0;
        for (int j = 0, p = base; j < n; j++, p += stride) {
            int kj = key(src[p]);
            if ((kj ^ Integer.MIN_VALUE) >>> 21 == bucket) {
                keys[c++] = kj;
            }
        }
        assert c == m;
        // Levels 2 and 3 work in place on the survivors: bits 20..10, then 9..0.
        for (int level = 0; level < 2; level++) {
            if (m < RADIX_MIN) {
                return select(keys, 0, m - 1, k, false);
            }
            int shift = level == 0 ? 10 : 0;
            int mask = level == 0 ? (1 << 11) - 1 : (1 << 10) - 1;
            Arrays.fill(hist, 0);
            for (int t = 0; t < m; t++) {
                hist[((keys[t] ^ Integer.MIN_VALUE) >>> shift) & mask]++;
            }
            bucket = 0;
            while (k >= hist[bucket]) {
                k -= hist[bucket++];
            }
            if (hist[bucket] != m) {
                c = 0;
                for (int t = 0; t < m; t++) {
                    if ((((keys[t] ^ Integer.MIN_VALUE) >>> shift) & mask) == bucket) {
                        keys[c++] = keys[t];
                    }
                }
                m = c;
            }
        }
        // All 32 bits agree: every survivor is the answer.
        return keys[0];
    }

    /**
     * Rearranges {@code a[lo..hi]} (inclusive) so that position {@code k} holds the value it would
     * hold if the range were sorted, and returns that value. With {@code forceMom} every pivot is
     * a median of medians (used for the medians themselves, keeping the guard linear).
     */
    static int select(int[] a, int lo, int hi, int k, boolean forceMom) {
        assert lo <= k && k <= hi;
        long size0 = hi - lo + 1L;
        long budget = (forceMom ? MOM_BUDGET : QUICK_BUDGET) * size0 + 64;
        boolean mom = forceMom;
        while (hi - lo >= INSERTION) {
            int size = hi - lo + 1;
            budget -= size;
            if (budget < 0) {
                if (mom) {
                    // Last guard: partitioning keeps failing (cannot happen with median-of-medians
                    // pivots on distinct values); finish with a sort.
                    Arrays.sort(a, lo, hi + 1);
                    return a[k];
                }
                mom = true;
                budget = MOM_BUDGET * (long) size + 64;
            }
            int m;
            if (mom) {
                m = medianOfMedians(a, lo, hi);
            } else if (size >= NINTHER) {
                int s = size >>> 3;
                int mid = lo + (size >>> 1);
                m = median3(a,
                        median3(a, lo, lo + s, lo + 2 * s),
                        median3(a, mid - s, mid, mid + s),
                        median3(a, hi - 2 * s, hi - s, hi));
            } else {
                m = median3(a, lo, lo + (size >>> 1), hi);
            }
            int j = partition(a, lo, hi, m);
            if (j == k) {
                return a[j];
            }
            if (k < j) {
                hi = j - 1;
            } else {
                lo = j + 1;
            }
        }
        insertionSort(a, lo, hi);
        return a[k];
    }

    /** Index (one of i, j, l) of the median of the three values. */
    private static int median3(int[] a, int i, int j, int l) {
        int x = a[i];
        int y = a[j];
        int z = a[l];
        if (x < y) {
            return y < z ? j : (x < z ? l : i);
        }
        return x < z ? i : (y < z ? l : j);
    }

    /**
     * Hoare partition of {@code a[lo..hi]} around {@code a[m]}: returns the pivot's final position
     * p with {@code a[lo..p) <= a[p] <= a(p..hi]}. Scans stop on equal keys, so runs of equal
     * values split evenly.
     */
    private static int partition(int[] a, int lo, int hi, int m) {
        int p = a[m];
        a[m] = a[lo];
        a[lo] = p;
        int i = lo;
        int j = hi + 1;
        while (true) {
            do {
                i++;
            } while (i < hi && a[i] < p);
            do {
                j--;
            } while (a[j] > p);
            if (i >= j) {
                break;
            }
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        a[lo] = a[j];
        a[j] = p;
        return j;
    }

    /**
     * Index of a median of medians of groups of 5 in {@code a[lo..hi]} (at least 5 elements): a
     * pivot guaranteed to have roughly 30% of the range on each side. Permutes the range.
     */
    private static int medianOfMedians(int[] a, int lo, int hi) {
        int groups = (hi - lo + 1) / 5;
        for (int g = 0; g < groups; g++) {
            int s = lo + 5 * g;
            insertionSort(a, s, s + 4);
            int t = a[lo + g];
            a[lo + g] = a[s + 2];
            a[s + 2] = t;
        }
        int mid = lo + (groups - 1) / 2;
        select(a, lo, lo + groups - 1, mid, true);
        return mid;
    }

    private static void insertionSort(int[] a, int lo, int hi) {
        for (int i = lo + 1; i <= hi; i++) {
            int v = a[i];
            int j = i - 1;
            while (j >= lo && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }
}
