package dev.shears.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/** A minimal reader for (gzipped) ustar archives such as npm package tarballs: regular files only. */
final class Tar {
    private Tar() {}

    /**
     * Extracts the regular files of {@code tgz} whose path is {@code prefix + name} with {@code name}
     * in {@code names} into {@code outDir/name}; returns how many were written.
     */
    static int extract(Path tgz, String prefix, Set<String> names, Path outDir) throws IOException {
        int written = 0;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            while (true) {
                if (!readFully(in, header)) {
                    break;
                }
                if (isZero(header)) {
                    break;
                }
                String name = longName != null ? longName : entryName(header);
                longName = null;
                long size = octal(header, 124, 12, tgz);
                char type = (char) header[156];
                long padded = (size + 511) / 512 * 512;
                if (type == 'L') { // GNU long name: the next entry's name is the content
                    byte[] b = in.readNBytes((int) padded);
                    longName = cString(b, 0, (int) size);
                    continue;
                }
                boolean regular = type == '0' || type == '\0';
                if (regular && name.startsWith(prefix) && names.contains(name.substring(prefix.length()))) {
                    Path dst = outDir.resolve(name.substring(prefix.length()));
                    try (OutputStream out = Files.newOutputStream(dst)) {
                        copy(in, out, size, tgz);
                    }
                    skip(in, padded - size, tgz);
                    written++;
                } else {
                    skip(in, padded, tgz);
                }
            }
        }
        return written;
    }

    private static String entryName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len, Path tgz) throws IOException {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int c = b[i];
            if (c == 0 || c == ' ') {
                if (v > 0 || i > off) {
                    continue;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                throw new IOException(tgz + ": bad tar header (size field not octal)");
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int n = in.readNBytes(b, 0, b.length);
        return n == b.length;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static void copy(InputStream in, OutputStream out, long size, Path tgz) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException(tgz + ": truncated archive");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long n, Path tgz) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException(tgz + ": truncated archive");
                }
                s = 1;
            }
            left -= s;
        }
    }
}
