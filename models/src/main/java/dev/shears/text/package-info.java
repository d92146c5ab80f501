/**
 * Text tokenization for language models.
 *
 * <ul>
 *   <li>{@link dev.shears.text.Tokenizer}: text to ids and back, the part a data pipeline or sampler needs.</li>
 *   <li>{@link dev.shears.text.BpeTokenizer}: byte-pair encoding read from a Hugging Face
 *       {@code tokenizer.json} (normalizer {@code Sequence}/{@code Prepend}/{@code Replace}, no
 *       pre-tokenizer, BPE with merge ranks, byte fallback and unk, added tokens matched whole,
 *       decoder {@code Sequence}/{@code Replace}/{@code ByteFallback}/{@code Fuse}/{@code Strip});
 *       any other feature is refused when the file is loaded.</li>
 * </ul>
 */
package dev.shears.text;
