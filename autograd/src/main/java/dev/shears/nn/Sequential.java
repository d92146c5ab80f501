package dev.shears.nn;

import dev.shears.autograd.Var;
import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; children are named {@code 0}, {@code 1}, ... */
public class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    public Sequential(List<? extends Layer> layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer (named by its position); returns this. */
    public Sequential add(Layer layer) {
        child(String.valueOf(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    public Layer get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    /** Takes any layer in any position. */
    @Override
    protected void accept(String name, Module old, Module replacement) {
        if (!(replacement instanceof Layer l)) {
            throw new UnsupportedOperationException("Sequential: position " + name + " needs a Layer, not " + replacement);
        }
        layers.set(Integer.parseInt(name), l);
    }

    @Override
    public Var forward(Var x) {
        Var h = x;
        for (Layer l : layers) {
            h = l.forward(h);
        }
        return h;
    }
}
