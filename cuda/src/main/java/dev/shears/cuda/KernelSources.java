package dev.shears.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * The shipped kernel resources under {@value #DIR}: for module {@code m}, {@code m.cu} (the source),
 * {@code m.cubin} (sm_90a), {@code m.ptx} (compute_90) and {@code m.sha256}, plus {@code headers.txt}
 * naming the shared {@code .cuh} headers. A module's hash covers its source and every header, so
 * editing a header marks every module stale; {@code cuda/build-kernels.sh} computes the same hash.
 */
final class KernelSources {
    static final String DIR = "/dev/shears/cuda/kernels/";
    static final String HEADER_INDEX = "headers.txt";

    private KernelSources() {}

    /** A resource's bytes, or null when it is missing. */
    static byte[] resource(String name) {
        try (InputStream in = KernelSources.class.getResourceAsStream(DIR + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel resource " + DIR + name, e);
        }
    }

    /** The header names listed in {@value #HEADER_INDEX} (empty when there is none). */
    static List<String> headers(Function<String, byte[]> read) {
        byte[] index = read.apply(HEADER_INDEX);
        List<String> names = new ArrayList<>();
        if (index != null) {
            for (String line : new String(index, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
        }
        return names;
    }

    /**
     * Lower-case hex SHA-256 of {@code module.cu} followed by each header in {@code headers} order,
     * each read with {@code read} (from the source folder in tests, from resources at run time).
     */
    static String hash(String module, List<String> headers, Function<String, byte[]> read) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(require(read, module + ".cu"));
            for (String h : headers) {
                sha.update(require(read, h));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** The hash recorded next to the compiled module at build time (first token of {@code module.sha256}). */
    static String recordedHash(String module, Function<String, byte[]> read) {
        byte[] b = require(read, module + ".sha256");
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII).strip().split("\\s+")[0];
    }

    private static byte[] require(Function<String, byte[]> read, String name) {
        byte[] b = read.apply(name);
        if (b == null) {
            throw new IllegalStateException("kernel file " + name + " is missing; run cuda/build-kernels.sh");
        }
        return b;
    }
}
