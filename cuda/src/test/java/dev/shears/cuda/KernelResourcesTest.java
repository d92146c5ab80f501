package dev.shears.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA source has shipped, up-to-date binaries: the hash recorded by build-kernels.sh
 * equals the hash of the source now, for the source tree and for the resources the loader reads.
 */
class KernelResourcesTest {
    static final Path SOURCES = Path.of("src/main/cuda");
    static final Path SHIPPED = Path.of("src/main/resources/dev/shears/cuda/kernels");

    static List<String> modules() {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Function<String, byte[]> readFrom(Path dir) {
        return name -> {
            Path p = dir.resolve(name);
            try {
                return Files.exists(p) ? Files.readAllBytes(p) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void theHeaderIndexListsEveryHeader() throws IOException {
        List<String> headers;
        try (Stream<Path> files = Files.list(SOURCES)) {
            headers = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cuh")).sorted().toList();
        }
        assertEquals(headers, KernelSources.headers(readFrom(SHIPPED)),
                "headers.txt is out of date; run cuda/build-kernels.sh");
    }

    @Test
    void everyModuleIsBuiltFromItsCurrentSource() {
        List<String> modules = modules();
        assertTrue(modules.containsAll(List.of("elementwise", "reduce", "index", "gemm")), modules.toString());
        Function<String, byte[]> src = readFrom(SOURCES);
        Function<String, byte[]> shipped = readFrom(SHIPPED);
        List<String> headers = KernelSources.headers(shipped);
        for (String m : modules) {
            assertTrue(Files.exists(SHIPPED.resolve(m + ".cubin")), m + ".cubin is missing; run cuda/build-kernels.sh");
            assertTrue(Files.exists(SHIPPED.resolve(m + ".ptx")), m + ".ptx is missing; run cuda/build-kernels.sh");
            assertEquals(KernelSources.hash(m, headers, src), KernelSources.recordedHash(m, shipped),
                    "kernel module '" + m + "' is stale: its source changed since cuda/build-kernels.sh ran");
        }
    }

    @Test
    void theLoaderSeesTheSameFreshSourcesOnTheClasspath() {
        for (String m : modules()) {
            Kernels.checkFresh(m); // throws naming the module when stale
        }
    }

    @Test
    void aStaleModuleIsNamed() {
        Function<String, byte[]> src = readFrom(SOURCES);
        Function<String, byte[]> edited = name -> name.equals("reduce.cu")
                ? (new String(src.apply(name)) + "\n// edited\n").getBytes() : src.apply(name);
        List<String> headers = KernelSources.headers(readFrom(SHIPPED));
        assertFalse(KernelSources.hash("reduce", headers, edited)
                .equals(KernelSources.recordedHash("reduce", readFrom(SHIPPED))));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelSources.recordedHash("nosuchmodule", readFrom(SHIPPED)));
        assertTrue(e.getMessage().contains("nosuchmodule.sha256"), e.getMessage());
    }
}
