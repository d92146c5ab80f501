package dev.shears;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture rule "no unseeded randomness in main code": every random choice goes through a
 * seeded {@code dev.shears.tensor.Rng} (or at least an explicitly seeded generator), so a run seed
 * reproduces a whole experiment. Scans the {@code src/main/java} tree of every module listed in the
 * parent pom and fails, naming {@code file:line}, on {@code new Random()} or
 * {@code new SplittableRandom()} without a seed, {@code Math.random(} / {@code StrictMath.random(},
 * any use of {@code ThreadLocalRandom}, and {@code Collections.shuffle(} without an explicit
 * {@code Random} argument. Comments and string literals are ignored.
 */
class SourceHygieneTest {

    private static final Pattern UNSEEDED_RANDOM = Pattern.compile("\\bnew\\s+(?:java\\s*\\.\\s*util\\s*\\.\\s*)?Random\\s*\\(\\s*\\)");
    private static final Pattern UNSEEDED_SPLITTABLE =
            Pattern.compile("\\bnew\\s+(?:java\\s*\\.\\s*util\\s*\\.\\s*)?SplittableRandom\\s*\\(\\s*\\)");
    private static final Pattern MATH_RANDOM = Pattern.compile("\\b(?:Strict)?Math\\s*\\.\\s*random\\s*\\(");
    private static final Pattern THREAD_LOCAL_RANDOM = Pattern.compile("\\bThreadLocalRandom\\b");
    private static final Pattern SHUFFLE = Pattern.compile("\\bCollections\\s*\\.\\s*shuffle\\s*\\(");
    private static final Pattern STATIC_SHUFFLE_IMPORT =
            Pattern.compile("\\bimport\\s+static\\s+java\\s*\\.\\s*util\\s*\\.\\s*Collections\\s*\\.\\s*(?:shuffle|\\*)\\s*;");

    @Test
    void mainSourcesHaveNoUnseededRandomness() throws IOException {
        Path root = projectRoot();
        List<String> modules = modules(root);
        assertTrue(modules.size() >= 3, "modules read from " + root.resolve("pom.xml") + ": " + modules);
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (String module : modules) {
            Path src = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            List<Path> javaFiles;
            try (Stream<Path> s = Files.walk(src)) {
                javaFiles = s.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().toList();
            }
            for (Path p : javaFiles) {
                violations.addAll(violations(root.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8)));
                files++;
            }
        }
        assertTrue(Files.isRegularFile(root.resolve("tensor/src/main/java/dev/shears/tensor/Rng.java")),
                "the scan should cover the tensor module (root " + root + ")");
        assertTrue(files > 50, "only " + files + " main source files found under " + root + " " + modules);
        if (!violations.isEmpty()) {
            fail("unseeded randomness in main code (use a seeded dev.shears.tensor.Rng):\n  " + String.join("\n  ", violations));
        }
    }

    @Test
    void detectorFlagsEachFormAndIgnoresSeededCallsCommentsAndStrings() {
        String src = String.join("\n",
                "import java.util.*;",                                            // 1
                "class A {",                                                        // 2
                "  Random a = new Random();",                                       // 3  flagged
                "  Random b = new Random(42L);",                                    // 4
                "  java.util.Random c = new java.util.Random( );",                  // 5  flagged
                "  double d = Math.random();",                                      // 6  flagged
                "  int e = java.util.concurrent.ThreadLocalRandom.current().nextInt();", // 7 flagged
                "  SplittableRandom f = new SplittableRandom();",                   // 8  flagged
                "  SplittableRandom g = new SplittableRandom(seed);",               // 9
                "  void h(List<Integer> l) { Collections.shuffle(l); }",            // 10 flagged
                "  void i(List<Integer> l) { Collections.shuffle(l, new Random(1)); }", // 11
                "  void j(List<List<Integer>> l) { Collections.shuffle(",           // 12 flagged (call spans lines)
                "      l.get(f(1, 2))); }",                                         // 13
                "  // new Random() and Math.random() in a comment are fine",        // 14
                "  /* ThreadLocalRandom in a block comment */ String s = \"new Random()\";", // 15
                "  char q = '\"'; String t = \"Math.random(\";",                     // 16
                "  String u = \"\"\"",                                              // 17
                "      Collections.shuffle(x) in a text block",                     // 18
                "      \"\"\";",                                                    // 19
                "  Object v = new RandomThing(); double w = MyMath.random();",      // 20
                "}");
        List<String> v = violations("A.java", src);
        List<String> lines = v.stream().map(s -> s.substring(0, s.indexOf(' '))).toList();
        assertEquals(List.of("A.java:3:", "A.java:5:", "A.java:6:", "A.java:7:", "A.java:8:", "A.java:10:", "A.java:12:"),
                lines, String.join("\n", v));
        assertTrue(v.get(5).contains("Collections.shuffle") && v.get(0).contains("new Random()"), v.toString());
        assertEquals(List.of("B.java:2: static import of Collections.shuffle (call it with an explicit Random)"),
                violations("B.java", "package p;\nimport static java.util.Collections.shuffle;\n"));
    }

    /** The problems in one source file, each as {@code name:line: what}. */
    static List<String> violations(String name, String source) {
        String code = blankCommentsAndStrings(source);
        List<String> out = new ArrayList<>();
        report(out, name, code, UNSEEDED_RANDOM, "new Random() without a seed");
        report(out, name, code, UNSEEDED_SPLITTABLE, "new SplittableRandom() without a seed");
        report(out, name, code, MATH_RANDOM, "Math.random() (unseeded)");
        report(out, name, code, THREAD_LOCAL_RANDOM, "ThreadLocalRandom (unseeded)");
        report(out, name, code, STATIC_SHUFFLE_IMPORT, "static import of Collections.shuffle (call it with an explicit Random)");
        Matcher m = SHUFFLE.matcher(code);
        while (m.find()) {
            if (topLevelArguments(code, m.end() - 1) < 2) {
                out.add(name + ":" + line(code, m.start()) + ": Collections.shuffle without an explicit Random argument");
            }
        }
        out.sort((a, b) -> Integer.compare(lineOf(a), lineOf(b)));
        return out;
    }

    private static void report(List<String> out, String name, String code, Pattern p, String what) {
        Matcher m = p.matcher(code);
        while (m.find()) {
            out.add(name + ":" + line(code, m.start()) + ": " + what);
        }
    }

    private static int lineOf(String violation) {
        String[] parts = violation.split(":", 3);
        return Integer.parseInt(parts[1]);
    }

    private static int line(String code, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (code.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The number of top-level arguments of the call whose {@code (} is at {@code open} (0 for {@code ()}). */
    private static int topLevelArguments(String code, int open) {
        int depth = 0;
        int commas = 0;
        boolean any = false;
        for (int i = open; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    break;
                }
            } else if (depth == 1 && c == ',') {
                commas++;
            } else if (depth == 1 && !Character.isWhitespace(c)) {
                any = true;
            }
        }
        return any ? commas + 1 : commas;
    }

    /**
     * {@code source} with every comment, string literal, text block and char literal replaced by
     * spaces (newlines kept), so offsets and line numbers stay those of the file.
     */
    static String blankCommentsAndStrings(String source) {
        StringBuilder b = new StringBuilder(source);
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            int end;
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                end = source.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                end = closing(source, i + 3, "\"\"\"");
            } else if (c == '"') {
                end = closing(source, i + 1, "\"");
            } else if (c == '\'') {
                end = closing(source, i + 1, "'");
            } else {
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                if (b.charAt(k) != '\n') {
                    b.setCharAt(k, ' ');
                }
            }
            i = end;
        }
        return b.toString();
    }

    /** The index just past the unescaped {@code quote} at or after {@code from} (the end of the text if none). */
    private static int closing(String s, int from, String quote) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.startsWith(quote, i)) {
                return i + quote.length();
            }
        }
        return s.length();
    }

    /**
     * The folder of the parent pom: the nearest folder at or above the working directory whose
     * {@code pom.xml} is itself (not through its {@code <parent>}) {@code shears-parent}.
     */
    static Path projectRoot() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom)) {
                String own = Files.readString(pom).replaceAll("(?s)<parent>.*?</parent>", "");
                if (own.contains("<artifactId>shears-parent</artifactId>")) {
                    return dir;
                }
            }
        }
        throw new IllegalStateException("no pom.xml with <artifactId>shears-parent</artifactId> at or above "
                + Path.of("").toAbsolutePath());
    }

    /** The {@code <module>} entries of the parent pom. */
    static List<String> modules(Path root) throws IOException {
        String pom = Files.readString(root.resolve("pom.xml")).replaceAll("(?s)<!--.*?-->", "");
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>").matcher(pom);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
