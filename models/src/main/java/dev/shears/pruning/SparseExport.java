package dev.shears.pruning;

import dev.shears.nn.Layer;
import dev.shears.nn.Linear;
import dev.shears.nn.Module;
import dev.shears.nn.Sequential;
import dev.shears.nn.SparseFormat;
import dev.shears.nn.SparseLinear;
import dev.shears.sparse.SparseTensors;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.io.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a pruned model into one whose pruned layers are real sparse layers: every {@link Linear}
 * of a {@link Sequential} tree becomes a {@link SparseLinear} (CSR or bitmap) or
 * {@code SemiStructuredLinear} (2:4) that stores only the weights its mask keeps, so it computes
 * what the masked dense model computes. Other layers (convolutions, activations) are shared with
 * the original, not copied.
 *
 * <pre>{@code
 * Layer sparse = SparseExport.convert(ticket, SparseFormat.CSR);
 * SparseExport.write(runDir.resolve("ticket.safetensors"), sparse);
 * }</pre>
 */
public final class SparseExport {
    private SparseExport() {}

    /**
     * The model with each Linear replaced by {@link Linear#toSparse}{@code (format)}; nested
     * Sequentials are rebuilt the same way, any other layer is reused as is.
     *
     * @throws dev.shears.sparse.SparseFormatException for 2:4 when a Linear's mask is not 2:4
     */
    public static Layer convert(Layer model, SparseFormat format) {
        return switch (model) {
            case Linear l -> l.toSparse(format);
            case Sequential s -> {
                List<Layer> converted = new ArrayList<>(s.size());
                for (Layer l : s.layers()) {
                    converted.add(convert(l, format));
                }
                yield new Sequential(converted);
            }
            default -> model;
        };
    }

    /**
     * Replaces, in place, every masked {@link Linear} under {@code root} (a pruned layer) with
     * {@link Linear#toSparse}{@code (format)}; unmasked Linears stay dense. The parents must take
     * the replacement ({@link Module#replace}): transformer blocks and {@link dev.shears.nn.Sequential}s do.
     *
     * @return the dotted paths of the replaced layers, in registration order
     * @throws dev.shears.sparse.SparseFormatException for 2:4 when a Linear's mask is not 2:4
     *     (every layer is converted before any is replaced, so nothing has changed then)
     * @throws UnsupportedOperationException if a parent does not take a sparse layer; the layers
     *     before it in registration order have been replaced
     */
    public static List<String> sparsify(Module root, SparseFormat format) {
        Map<String, SparseLinear> sparse = new LinkedHashMap<>();
        root.modules(Linear.class).forEach((path, l) -> {
            if (l.weight().isMasked()) {
                sparse.put(path, l.toSparse(format));
            }
        });
        sparse.forEach(root::replace);
        return List.copyOf(sparse.keySet());
    }

    /**
     * Writes a {@linkplain #convert converted} model to a safetensors file, atomically: each sparse
     * layer's weight as a sparse matrix named {@code <layer>.weight} (read it back with
     * {@link SparseTensors#read}) and every other parameter and buffer dense under its dotted name.
     *
     * @throws java.io.UncheckedIOException if writing fails
     */
    public static void write(Path file, Layer exported) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        collect("", exported, tensors, metadata);
        SafeTensors.write(file, tensors, metadata);
    }

    private static void collect(String prefix, Module m, Map<String, Tensor> tensors, Map<String, String> metadata) {
        if (m instanceof SparseLinear s) {
            SparseTensors.put(prefix + "weight", s.weight(), tensors, metadata);
            if (s.bias() != null) {
                tensors.put(prefix + "bias", s.bias().value());
            }
            return;
        }
        m.namedParameters().forEach((name, p) -> {
            if (!name.contains(".")) { // this module's own; children add theirs below
                tensors.put(prefix + name, p.value());
            }
        });
        m.namedBuffers().forEach((name, b) -> {
            if (!name.contains(".")) {
                tensors.put(prefix + name, b);
            }
        });
        m.children().forEach((name, child) -> collect(prefix + name + ".", child, tensors, metadata));
    }
}
