package dev.shears.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The byte-pair-encoding model of a {@code tokenizer.json} ({@code "model"} of type {@code BPE}):
 * a vocabulary (token string to id) and a ranked list of merges. A word is first split into
 * characters (Unicode code points), each mapped to its token; then, repeatedly, the adjacent pair
 * whose merge has the lowest rank (earliest in the file) is replaced by the merged token, the
 * leftmost occurrence first, until no adjacent pair has a merge.
 *
 * <p>A character that is not in the vocabulary becomes its UTF-8 bytes as {@code <0xNN>} tokens
 * when {@code byte_fallback} is set and all those tokens exist; otherwise it becomes the
 * {@code unk_token} (with {@code fuse_unk}, a run of unknown characters becomes a single one).
 *
 * <p>Cost: the merge loop keeps candidate pairs in a priority queue over a linked list of symbols,
 * so a word of n characters takes O(n log n), not the O(n²) or worse of rescanning for the best pair
 * after every merge. That matters because without a pre-tokenizer a whole text is one word.
 *
 * <p>Not implemented, and refused by {@link #fromJson}: {@code dropout}, {@code continuing_subword_prefix},
 * {@code end_of_word_suffix} and {@code ignore_merges = true}.
 */
final class BpeModel {
    /** No merge for a pair. */
    private static final int NONE = -1;

    private final Map<String, Integer> vocab;
    /** (left id, right id) packed by {@link #pair} -> merge rank. */
    private final Map<Long, Integer> rankOf;
    /** merge rank -> id of the merged token. */
    private final int[] mergedId;
    /** id of the unknown token, or -1 if the model has none. */
    private final int unkId;
    private final boolean fuseUnk;
    /** byte -> id of its {@code <0xNN>} token, or null when byte fallback is off; entries -1 where the token is missing. */
    private final int[] byteIds;

    private BpeModel(Map<String, Integer> vocab, Map<Long, Integer> rankOf, int[] mergedId, int unkId, boolean fuseUnk,
            int[] byteIds) {
        this.vocab = vocab;
        this.rankOf = rankOf;
        this.mergedId = mergedId;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.byteIds = byteIds;
    }

    /** The model described by the object {@code node} at {@code where}. */
    static BpeModel fromJson(JsonSource src, JsonNode node, String where) {
        String type = src.type(node, where);
        if (!type.equals("BPE")) {
            throw src.unsupported(where, "model", type, Set.of("BPE"));
        }
        src.requireNull(node, where, "dropout");
        src.requireNull(node, where, "continuing_subword_prefix");
        src.requireNull(node, where, "end_of_word_suffix");
        if (src.flag(node, where, "ignore_merges", false)) {
            throw src.error(where + ".ignore_merges", "unsupported setting true (only false is implemented)");
        }
        Map<String, Integer> vocab = readVocab(src, src.object(node, where, "vocab"), where + ".vocab");
        JsonNode merges = src.array(node, where, "merges");
        Map<Long, Integer> rankOf = new HashMap<>(merges.size() * 2);
        int[] mergedId = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            String at = where + ".merges[" + rank + "]";
            String[] parts = mergeParts(src, merges.get(rank), at);
            int left = known(src, vocab, parts[0], at, "left token");
            int right = known(src, vocab, parts[1], at, "right token");
            mergedId[rank] = known(src, vocab, parts[0] + parts[1], at, "merged token");
            Integer earlier = rankOf.putIfAbsent(pair(left, right), rank);
            if (earlier != null) {
                throw src.error(at, "repeats merge #" + earlier + " (\"" + parts[0] + "\" + \"" + parts[1] + "\")");
            }
        }
        int unkId = -1;
        JsonNode unk = node.get("unk_token");
        if (unk != null && !unk.isNull()) {
            unkId = known(src, vocab, src.asString(unk, where + ".unk_token"), where + ".unk_token", "unk_token");
        }
        int[] byteIds = null;
        if (src.flag(node, where, "byte_fallback", false)) {
            byteIds = new int[256];
            for (int b = 0; b < 256; b++) {
                byteIds[b] = vocab.getOrDefault(Decoders.fallbackToken(b), -1);
            }
        }
        return new BpeModel(vocab, rankOf, mergedId, unkId, src.flag(node, where, "fuse_unk", false), byteIds);
    }

    private static Map<String, Integer> readVocab(JsonSource src, JsonNode vocabNode, String where) {
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
            vocab.put(e.getKey(), src.asNonNegativeInt(e.getValue(), where + "[\"" + e.getKey() + "\"]"));
        }
        return vocab;
    }

    /** The two halves of a merge, written {@code "a b"} (one space) or {@code ["a", "b"]}. */
    private static String[] mergeParts(JsonSource src, JsonNode merge, String at) {
        if (merge.isArray() && merge.size() == 2) {
            return new String[] {src.asString(merge.get(0), at + "[0]"), src.asString(merge.get(1), at + "[1]")};
        }
        if (merge.isTextual()) {
            String[] parts = merge.asText().split(" ", -1);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                return parts;
            }
        }
        throw src.error(at, "expected a merge \"left right\" or [\"left\", \"right\"], found " + JsonSource.describe(merge));
    }

    private static int known(JsonSource src, Map<String, Integer> vocab, String token, String at, String role) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw src.error(at, role + " \"" + token + "\" is not in model.vocab");
        }
        return id;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** The model's vocabulary, token string to id (unmodifiable). */
    Map<String, Integer> vocab() {
        return Collections.unmodifiableMap(vocab);
    }

    /** The id of the unknown token, or -1 if the model has none. */
    int unkId() {
        return unkId;
    }

    /**
     * Appends the token ids of {@code word} to {@code out}.
     *
     * @throws IllegalArgumentException naming the character if it has no token and the model has no unknown token
     */
    void encodeWord(String word, IntList out) {
        Symbols s = initialSymbols(word);
        LongHeap queue = new LongHeap(2 * s.count);
        for (int i = 0; i + 1 < s.count; i++) {
            offer(queue, s, i);
        }
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = s.next[pos];
            if (!s.alive[pos] || right < 0 || rankAt(s, pos) != rank) {
                continue; // stale: one of the two symbols has been merged since this pair was queued
            }
            s.ids[pos] = mergedId[rank];
            int after = s.next[right];
            s.next[pos] = after;
            if (after >= 0) {
                s.prev[after] = pos;
            }
            s.alive[right] = false;
            if (s.prev[pos] >= 0) {
                offer(queue, s, s.prev[pos]);
            }
            if (after >= 0) {
                offer(queue, s, pos);
            }
        }
        for (int i = 0; i >= 0 && s.count > 0; i = s.next[i]) {
            out.add(s.ids[i]);
        }
    }

    /** Queues the pair starting at symbol {@code pos}, keyed by (rank, position) so that ties go leftmost. */
    private void offer(LongHeap queue, Symbols s, int pos) {
        int rank = rankAt(s, pos);
        if (rank != NONE) {
            queue.add(((long) rank << 32) | pos);
        }
    }

    private int rankAt(Symbols s, int pos) {
        return rankOf.getOrDefault(pair(s.ids[pos], s.ids[s.next[pos]]), NONE);
    }

    private Symbols initialSymbols(String word) {
        IntList ids = new IntList(word.length());
        boolean previousUnknown = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int n = Character.charCount(cp);
            Integer id = vocab.get(word.substring(i, i + n));
            boolean unknown = false;
            if (id != null) {
                ids.add(id);
            } else if (!appendBytes(word.substring(i, i + n), ids)) {
                if (unkId < 0) {
                    throw new IllegalArgumentException(String.format(
                            "character U+%04X at position %d of \"%s\" has no token and the tokenizer has no unk_token",
                            cp, i, word));
                }
                unknown = true;
                if (!(fuseUnk && previousUnknown)) {
                    ids.add(unkId);
                }
            }
            previousUnknown = unknown;
            i += n;
        }
        return new Symbols(ids.toArray());
    }

    /** Appends the byte-fallback tokens of {@code ch}'s UTF-8 bytes, if byte fallback is on and all exist. */
    private boolean appendBytes(String ch, IntList ids) {
        if (byteIds == null) {
            return false;
        }
        byte[] bytes = ch.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteIds[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            ids.add(byteIds[b & 0xFF]);
        }
        return true;
    }

    /** A word's symbols as a doubly linked list over arrays; a merge keeps the left slot and unlinks the right. */
    private static final class Symbols {
        final int count;
        final int[] ids;
        final int[] prev;
        final int[] next;
        final boolean[] alive;

        Symbols(int[] ids) {
            this.count = ids.length;
            this.ids = ids;
            this.prev = new int[count];
            this.next = new int[count];
            this.alive = new boolean[count];
            for (int i = 0; i < count; i++) {
                prev[i] = i - 1;
                next[i] = i + 1 < count ? i + 1 : -1;
            }
            Arrays.fill(alive, true);
        }
    }
}
