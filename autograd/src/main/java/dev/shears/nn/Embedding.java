package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;

/** A lookup table weight [num, dim] initialised N(0, 1) (PyTorch's default); ids are I32. */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int dim;
    private final Parameter weight;

    public Embedding(int numEmbeddings, int dim, Rng rng) {
        if (numEmbeddings < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes " + numEmbeddings + " x " + dim + " must be >= 1");
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.weight = param("weight", Init.normal(rng, 1f, numEmbeddings, dim));
    }

    /** ids of any shape [...] (I32) → [..., dim]; repeated ids sum their gradients. */
    public Var forward(Tensor ids) {
        if (ids.dtype() != DType.I32) {
            throw new IllegalArgumentException("Embedding: ids are " + ids.dtype() + ", need I32");
        }
        int[] flat = ids.contiguous().toIntArray();
        for (int i = 0; i < flat.length; i++) {
            if (flat[i] < 0 || flat[i] >= numEmbeddings) {
                throw new IllegalArgumentException("Embedding: id " + flat[i] + " at " + i + " is outside [0, "
                        + numEmbeddings + ")");
            }
        }
        int[] outShape = java.util.Arrays.copyOf(ids.shape().dims(), ids.rank() + 1);
        outShape[ids.rank()] = dim;
        return weight.effective().indexSelect(0, Tensor.ofInts(flat, flat.length)).reshape(outShape);
    }

    /** Convenience for int[][] token batches [b, t] → [b, t, dim]. */
    public Var forward(int[][] ids) {
        int b = ids.length;
        int t = b == 0 ? 0 : ids[0].length;
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        return forward(Tensor.ofInts(flat, b, t));
    }

    public Parameter weight() {
        return weight;
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int dim() {
        return dim;
    }

    @Override
    protected List<Parameter> ownPrunable() {
        return List.of(weight);
    }
}
