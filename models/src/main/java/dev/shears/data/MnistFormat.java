package dev.shears.data;

import java.util.Arrays;

/** Loading an MNIST-layout image/label pair of IDX files into an {@link ArrayDataset}. */
final class MnistFormat {
    private MnistFormat() {}

    static ArrayDataset load(DataLocator locator, DataSpec spec, String imagesFile, String labelsFile, int count) {
        Idx.Array images = Idx.parse(locator.read(spec, imagesFile), imagesFile).requireDims(count, 28, 28);
        Idx.Array labels = Idx.parse(locator.read(spec, labelsFile), labelsFile).requireDims(count);
        byte[] raw = labels.data();
        int[] y = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            y[i] = raw[i] & 0xff;
            if (y[i] > 9) {
                throw Idx.error(labelsFile, "label " + y[i] + " at index " + i + " is outside 0..9");
            }
        }
        if (images.dims()[0] != y.length) {
            throw Idx.error(imagesFile, "has " + images.dims()[0] + " images but " + labelsFile + " has "
                    + y.length + " labels (dims " + Arrays.toString(images.dims()) + ")");
        }
        return ArrayDataset.ofUnsignedBytes(images.data(), 1f / 255f, y, 10, 1, 28, 28);
    }
}
