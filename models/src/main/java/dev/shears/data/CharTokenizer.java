package dev.shears.data;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * Character-level tokenizer: the vocabulary is the sorted set of distinct characters (UTF-16 code
 * units) of a text, token id = rank in that order (so the same text always gives the same ids).
 */
public final class CharTokenizer implements dev.shears.text.Tokenizer {
    private final char[] chars;     // id -> char, ascending
    private final int[] idOf;       // char -> id or -1, sized to max char + 1

    private CharTokenizer(char[] chars) {
        this.chars = chars;
        int max = chars.length == 0 ? 0 : chars[chars.length - 1];
        this.idOf = new int[max + 1];
        Arrays.fill(idOf, -1);
        for (int i = 0; i < chars.length; i++) {
            idOf[chars[i]] = i;
        }
    }

    /** The vocabulary of {@code text}'s distinct characters. */
    public static CharTokenizer fromText(String text) {
        TreeSet<Character> set = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) {
            set.add(text.charAt(i));
        }
        char[] c = new char[set.size()];
        int k = 0;
        for (char ch : set) {
            c[k++] = ch;
        }
        return new CharTokenizer(c);
    }

    /** The vocabulary, in id order. */
    public String vocabulary() {
        return new String(chars);
    }

    public int vocabSize() {
        return chars.length;
    }

    /**
     * Token ids of {@code text}.
     *
     * @throws IllegalArgumentException naming the character and its position if it is not in the vocabulary
     */
    public int[] encode(String text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            char c = text.charAt(i);
            int id = c < idOf.length ? idOf[c] : -1;
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "CharTokenizer.encode: character U+%04X at position %d is not in the vocabulary of %d characters",
                        (int) c, i, chars.length));
            }
            ids[i] = id;
        }
        return ids;
    }

    /** The text of {@code ids}. */
    public String decode(int[] ids) {
        char[] out = new char[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= chars.length) {
                throw new IllegalArgumentException("CharTokenizer.decode: id " + ids[i] + " at position " + i
                        + " is outside [0, " + chars.length + ")");
            }
            out[i] = chars[ids[i]];
        }
        return new String(out);
    }
}
