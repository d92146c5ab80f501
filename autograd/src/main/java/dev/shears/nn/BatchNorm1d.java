package dev.shears.nn;

/** {@link BatchNorm} over [n, c] or [n, c, l] input (eps 1e-5, momentum 0.1, affine by default). */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f, true);
    }

    public BatchNorm1d(int numFeatures, float eps, float momentum, boolean affine) {
        super(numFeatures, eps, momentum, affine);
    }

    @Override
    protected boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }
}
