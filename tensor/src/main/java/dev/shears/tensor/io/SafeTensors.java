package dev.shears.tensor.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shears.tensor.Backends;
import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Device;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the Hugging Face <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}}), then the little-endian data buffer, which the tensors tile
 * exactly (offsets are relative to the buffer's start).
 *
 * <p>Dtypes: F32, I32 and U8 load as tensors of the same dtype; F16 and BF16 (storage-only in
 * Shears) load as F32 tensors, exactly ({@link TensorInfo#loadedDType()} says so). Writers store
 * F32 tensors as F32, or as F16/BF16 rounded to nearest even when asked.
 *
 * <p>Errors: a malformed file throws {@link UncheckedIOException} (cause {@link IOException}) whose
 * message names the file, the tensor and the problem, e.g. {@code SafeTensors.read(model.safetensors):
 * header length 9000000000000000000 exceeds file size 1.2 MB (1234567 bytes)}. The whole header is
 * validated before any tensor is allocated, so a bad file never yields a partial result or an
 * {@code OutOfMemoryError}. Bad arguments to {@code write} throw {@link IllegalArgumentException}
 * (or its subclass {@link DTypeException}) before any file is created.
 */
public final class SafeTensors {
    /** The largest header accepted on read (as in the reference implementation). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";
    private static final int CHUNK = 1 << 20;
    /** Duplicate keys inside an entry fail; duplicate tensor names are caught by {@link #parseJson}. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    private SafeTensors() {
    }

    /**
     * One tensor's header entry.
     *
     * @param name  the tensor's name
     * @param dtype the dtype stored in the file (F16 and BF16 included)
     * @param shape the tensor's shape
     * @param begin first byte, relative to the data buffer
     * @param end   one past the last byte, relative to the data buffer
     */
    public record TensorInfo(String name, DType dtype, Shape shape, long begin, long end) {
        /** The dtype {@link #read} returns: F32 for F16 and BF16 (converted exactly), else {@link #dtype}. */
        public DType loadedDType() {
            return dtype == DType.F16 || dtype == DType.BF16 ? DType.F32 : dtype;
        }

        /** Bytes in the file: {@code end - begin}. */
        public long byteSize() {
            return end - begin;
        }
    }

    /**
     * A validated header.
     *
     * @param file       the file it was read from
     * @param headerSize {@code N}, the JSON header's length in bytes (padding included)
     * @param tensors    the entries by name, in data-buffer order (unmodifiable)
     * @param metadata   the {@code __metadata__} map, empty if absent (unmodifiable)
     */
    public record Header(Path file, long headerSize, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        /** Absolute file position of the data buffer: {@code 8 + headerSize}. */
        public long dataStart() {
            return 8 + headerSize;
        }
    }

    // ==== reading ===============================================================================

    /**
     * Reads and validates the header of {@code file} without reading tensor data.
     *
     * @throws UncheckedIOException if the file cannot be read or is malformed
     */
    public static Header readHeader(Path file) {
        String op = "SafeTensors.readHeader(" + file + ")";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parseHeader(op, file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException(op + ": " + e, e);
        }
    }

    /**
     * Reads every tensor of {@code file} onto the CPU, by name in data-buffer order (for files this
     * class writes, the header's order). F16 and BF16 tensors become F32.
     *
     * @throws UncheckedIOException if the file cannot be read or is malformed (nothing is returned)
     */
    public static Map<String, Tensor> read(Path file) {
        String op = "SafeTensors.read(" + file + ")";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = parseHeader(op, file, ch);
            long maxBytes = 0;
            for (TensorInfo t : header.tensors().values()) {
                maxBytes = Math.max(maxBytes, t.byteSize());
            }
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(8, maxBytes)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (TensorInfo t : header.tensors().values()) {
                out.put(t.name(), readTensor(op, ch, header.dataStart() + t.begin(), t, chunk));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(op + ": " + e, e);
        }
    }

    private static Tensor readTensor(String op, FileChannel ch, long pos, TensorInfo t, ByteBuffer chunk)
            throws IOException {
        int n = t.shape().numel();
        Backend cpu = Backends.get(Device.CPU);
        Layout layout = Layout.contiguous(t.shape());
        int size = t.dtype().byteSize();
        int perChunk = chunk.capacity() / size;
        switch (t.dtype()) {
            case U8 -> {
                byte[] a = new byte[n];
                readFully(op, ch, ByteBuffer.wrap(a), pos);
                return Tensor.wrap(cpu.fromBytes(a), layout);
            }
            case I32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i += perChunk) {
                    int count = Math.min(perChunk, n - i);
                    fill(op, ch, chunk, pos + (long) i * size, count * size).asIntBuffer().get(a, i, count);
                }
                return Tensor.wrap(cpu.fromInts(a), layout);
            }
            case F32, F16, BF16 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i += perChunk) {
                    int count = Math.min(perChunk, n - i);
                    ByteBuffer b = fill(op, ch, chunk, pos + (long) i * size, count * size);
                    switch (t.dtype()) {
                        case F32 -> b.asFloatBuffer().get(a, i, count);
                        case F16 -> {
                            for (int j = 0; j < count; j++) {
                                a[i + j] = HalfFloats.fromF16(b.getShort());
                            }
                        }
                        default -> {
                            for (int j = 0; j < count; j++) {
                                a[i + j] = HalfFloats.fromBf16(b.getShort());
                            }
                        }
                    }
                }
                return Tensor.wrap(cpu.fromFloats(a), layout);
            }
        }
        throw new AssertionError(t.dtype());
    }

    /** Reads {@code bytes} bytes at {@code pos} into {@code chunk}, ready to read from position 0. */
    private static ByteBuffer fill(String op, FileChannel ch, ByteBuffer chunk, long pos, int bytes) throws IOException {
        chunk.clear().limit(bytes);
        readFully(op, ch, chunk, pos);
        return chunk.flip();
    }

    private static void readFully(String op, FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw malformed(op, "file ended at byte " + pos + " while reading (truncated, or changed while reading?)");
            }
            pos += r;
        }
    }

    private static Header parseHeader(String op, Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw malformed(op, "file is " + fileSize + " bytes, too short for the 8-byte header length"
                    + " (not a safetensors file?)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(op, ch, lengthBytes, 0);
        long n = lengthBytes.getLong(0); // unsigned: negative means >= 2^63
        if (n < 0 || n > fileSize - 8) {
            throw malformed(op, "header length " + Long.toUnsignedString(n) + " exceeds file size " + humanBytes(fileSize));
        }
        if (n > MAX_HEADER_BYTES) {
            throw malformed(op, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] json = new byte[(int) n];
        readFully(op, ch, ByteBuffer.wrap(json), 8);
        long bufferSize = fileSize - 8 - n;

        Map<String, JsonNode> entries = new LinkedHashMap<>();
        JsonNode metadataNode = parseJson(op, json, entries);

        Map<String, String> metadata = new LinkedHashMap<>();
        if (metadataNode != null && !metadataNode.isNull()) {
            if (!metadataNode.isObject()) {
                throw malformed(op, "__metadata__ must be an object of strings, got " + abbreviate(metadataNode));
            }
            for (Map.Entry<String, JsonNode> e : metadataNode.properties()) {
                if (!e.getValue().isTextual()) {
                    throw malformed(op, "__metadata__ must map strings to strings, but '" + e.getKey() + "' maps to "
                            + abbreviate(e.getValue()));
                }
                metadata.put(e.getKey(), e.getValue().textValue());
            }
        }

        List<TensorInfo> infos = new ArrayList<>(entries.size());
        for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
            infos.add(tensorInfo(op, e.getKey(), e.getValue(), bufferSize));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long pos = 0;
        TensorInfo previous = null;
        for (TensorInfo t : infos) {
            if (t.begin() < pos) {
                throw malformed(op, "tensor '" + t.name() + "': data_offsets " + offsets(t) + " overlap tensor '"
                        + previous.name() + "' " + offsets(previous));
            }
            if (t.begin() > pos) {
                throw malformed(op, "tensor '" + t.name() + "': gap of " + (t.begin() - pos) + " bytes in the data buffer"
                        + " before its data_offsets " + offsets(t) + " (bytes [" + pos + ", " + t.begin()
                        + ") belong to no tensor)");
            }
            pos = t.end();
            previous = t;
        }
        if (pos != bufferSize) {
            throw malformed(op, "gap of " + (bufferSize - pos) + " bytes at the end of the data buffer: the tensors"
                    + " cover [0, " + pos + ") of " + bufferSize + " bytes");
        }
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            byName.put(t.name(), t);
        }
        return new Header(file, n, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(metadata));
    }

    /** Parses the top-level object into {@code entries}; returns the {@code __metadata__} value or null. */
    private static JsonNode parseJson(String op, byte[] json, Map<String, JsonNode> entries) {
        JsonNode metadata = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(op, "header is not a JSON object (at byte 8)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                long at = 8 + p.currentTokenLocation().getByteOffset();
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (METADATA.equals(name)) {
                    if (metadata != null) {
                        throw malformed(op, "duplicate __metadata__ at byte " + at);
                    }
                    metadata = value == null ? JSON.nullNode() : value;
                } else if (entries.putIfAbsent(name, value) != null) {
                    throw malformed(op, "tensor '" + name + "': duplicate name in the header at byte " + at);
                }
            }
            if (p.nextToken() != null) {
                throw malformed(op, "unexpected content after the header's JSON object at byte "
                        + (8 + p.currentTokenLocation().getByteOffset()));
            }
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw malformed(op, "header is not valid JSON: " + e.getOriginalMessage()
                    + (at >= 0 ? " (at byte " + (8 + at) + ")" : ""));
        } catch (IOException e) {
            throw new UncheckedIOException(op + ": " + e, e);
        }
        return metadata;
    }

    private static TensorInfo tensorInfo(String op, String name, JsonNode v, long bufferSize) {
        String where = "tensor '" + name + "': ";
        if (v == null || !v.isObject()) {
            throw malformed(op, where + "entry must be an object with dtype, shape and data_offsets, got " + abbreviate(v));
        }
        JsonNode d = v.get("dtype");
        if (d == null || !d.isTextual()) {
            throw malformed(op, where + "\"dtype\" is missing or not a string");
        }
        DType dtype = switch (d.textValue()) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I32" -> DType.I32;
            case "U8" -> DType.U8;
            default -> throw malformed(op, where + "dtype \"" + d.textValue()
                    + "\" is not supported (supported: F32, F16, BF16, I32, U8)");
        };
        JsonNode s = v.get("shape");
        if (s == null || !s.isArray()) {
            throw malformed(op, where + "\"shape\" is missing or not an array");
        }
        int[] dims = new int[s.size()];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode e = s.get(i);
            if (!e.isIntegralNumber()) {
                throw malformed(op, where + "shape " + s + " must hold integers, got " + abbreviate(e) + " at axis " + i);
            }
            BigInteger b = e.bigIntegerValue();
            if (b.signum() < 0) {
                throw malformed(op, where + "shape " + s + " has a negative size " + b + " at axis " + i);
            }
            if (b.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
                throw malformed(op, where + "shape " + s + " has size " + b + " at axis " + i + ", more than "
                        + Integer.MAX_VALUE);
            }
            dims[i] = b.intValue();
            numel = Math.min(numel * dims[i], Integer.MAX_VALUE + 1L); // stays below 2^62: no overflow
        }
        if (numel > Integer.MAX_VALUE) {
            throw malformed(op, where + "shape " + s + " has more than " + Integer.MAX_VALUE
                    + " elements, too many for one tensor");
        }
        Shape shape = Shape.of(dims);
        JsonNode o = v.get("data_offsets");
        if (o == null || !o.isArray() || o.size() != 2 || !isNonNegativeLong(o.get(0)) || !isNonNegativeLong(o.get(1))) {
            throw malformed(op, where + "\"data_offsets\" must be two non-negative integers [begin, end], got "
                    + abbreviate(o));
        }
        long begin = o.get(0).longValue();
        long end = o.get(1).longValue();
        if (end < begin) {
            throw malformed(op, where + "data_offsets [" + begin + ", " + end + "] are out of order (end < begin)");
        }
        if (end > bufferSize) {
            throw malformed(op, where + "data_offsets [" + begin + ", " + end + "] reach past the end of the data buffer ("
                    + bufferSize + " bytes)");
        }
        long expected = numel * dtype.byteSize();
        if (end - begin != expected) {
            throw malformed(op, where + "shape " + shape + " of " + dtype + " needs " + expected
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static boolean isNonNegativeLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }

    // ==== writing ===============================================================================

    /**
     * Writes {@code tensors} (any device, layout or view; F32, I32 or U8) and {@code metadata} to
     * {@code file}, storing F32 as F32. Equivalent to {@code write(file, tensors, metadata, DType.F32)}.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, DType.F32);
    }

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file} atomically: to a temporary file in
     * the same directory, fsynced, then moved over {@code file}. On any failure the temporary file is
     * deleted and an existing {@code file} is left untouched.
     *
     * <p>Layout: the header JSON lists {@code __metadata__} first (omitted when {@code metadata} is
     * empty), then the tensors in data order, which is deterministic whatever the map's order: by
     * stored element size, largest first (so every tensor is aligned to its element size), then by
     * name ({@link String#compareTo}). The header is padded with spaces so the data starts at a
     * multiple of 8 bytes.
     *
     * @param floatStorage how F32 tensors are stored: F32, or F16/BF16 rounded to nearest even
     *                     (I32 and U8 tensors are stored as they are)
     * @throws IllegalArgumentException if a name is null or {@code "__metadata__"}, a tensor or a
     *                                  metadata key or value is null, or {@code floatStorage} is
     *                                  not F32, F16 or BF16 (checked before any file is created)
     * @throws DTypeException           if a tensor's dtype cannot be written (F16/BF16 tensors)
     * @throws UncheckedIOException     if writing or moving fails
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, DType floatStorage) {
        Objects.requireNonNull(file, "SafeTensors.write: file must not be null");
        String op = "SafeTensors.write(" + file + ")";
        if (tensors == null || metadata == null) {
            throw new IllegalArgumentException(op + ": tensors and metadata must not be null (use Map.of())");
        }
        if (floatStorage != DType.F32 && floatStorage != DType.F16 && floatStorage != DType.BF16) {
            throw new IllegalArgumentException(op + ": floatStorage must be F32, F16 or BF16, got " + floatStorage);
        }
        record Planned(String name, Tensor tensor, DType stored) {
        }
        List<Planned> plan = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null || name.equals(METADATA)) {
                throw new IllegalArgumentException(op + ": tensor name " + (name == null ? "null" : "\"" + name + "\"")
                        + " is not allowed");
            }
            if (t == null) {
                throw new IllegalArgumentException(op + ": tensor '" + name + "' is null");
            }
            DType stored = switch (t.dtype()) {
                case F32 -> floatStorage;
                case I32, U8 -> t.dtype();
                case F16, BF16 -> throw new DTypeException(op + ": tensor '" + name + "' has dtype " + t.dtype()
                        + ", which cannot be written (expected F32, I32 or U8; convert with to(DType.F32))");
            };
            plan.add(new Planned(name, t, stored));
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(op + ": metadata entry " + e.getKey() + " = " + e.getValue()
                        + " has a null key or value");
            }
        }
        plan.sort(Comparator.comparingInt((Planned p) -> -p.stored().byteSize()).thenComparing(Planned::name));

        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(METADATA);
            metadata.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> m.put(e.getKey(), e.getValue()));
        }
        long offset = 0;
        for (Planned p : plan) {
            ObjectNode entry = root.putObject(p.name());
            entry.put("dtype", p.stored().name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : p.tensor().shape().dims()) {
                shape.add(d);
            }
            long bytes = (long) p.tensor().numel() * p.stored().byteSize();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(op + ": cannot encode the header: " + e.getOriginalMessage(), e);
        }
        int padded = (json.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (Planned p : plan) {
                    writeTensor(ch, p.tensor(), p.stored(), chunk);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(op + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is what matters
                }
            }
        }
    }

    private static void writeTensor(FileChannel ch, Tensor t, DType stored, ByteBuffer chunk) throws IOException {
        switch (stored) {
            case U8 -> writeFully(ch, ByteBuffer.wrap(t.toByteArray()));
            case I32 -> {
                int[] a = t.toIntArray();
                int per = chunk.capacity() / 4;
                for (int i = 0; i < a.length; i += per) {
                    int count = Math.min(per, a.length - i);
                    chunk.clear();
                    chunk.asIntBuffer().put(a, i, count);
                    writeFully(ch, chunk.limit(count * 4));
                }
            }
            case F32 -> {
                float[] a = t.toFloatArray();
                int per = chunk.capacity() / 4;
                for (int i = 0; i < a.length; i += per) {
                    int count = Math.min(per, a.length - i);
                    chunk.clear();
                    chunk.asFloatBuffer().put(a, i, count);
                    writeFully(ch, chunk.limit(count * 4));
                }
            }
            case F16, BF16 -> {
                float[] a = t.toFloatArray();
                boolean f16 = stored == DType.F16;
                int per = chunk.capacity() / 2;
                for (int i = 0; i < a.length; i += per) {
                    int count = Math.min(per, a.length - i);
                    chunk.clear();
                    for (int j = 0; j < count; j++) {
                        chunk.putShort(f16 ? HalfFloats.toF16(a[i + j]) : HalfFloats.toBf16(a[i + j]));
                    }
                    writeFully(ch, chunk.flip());
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux, macOS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the file itself was fsynced before the move
        }
    }

    // ==== messages ==============================================================================

    private static UncheckedIOException malformed(String op, String problem) {
        String message = op + ": " + problem;
        return new UncheckedIOException(message, new IOException(message));
    }

    private static String offsets(TensorInfo t) {
        return "[" + t.begin() + ", " + t.end() + "]";
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** {@code 20 bytes}, {@code 1.2 MB (1234567 bytes)}. */
    static String humanBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " bytes";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 999.95 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", v, units[u], bytes);
    }
}
