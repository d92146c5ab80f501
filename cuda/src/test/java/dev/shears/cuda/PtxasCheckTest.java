package dev.shears.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Compile check without a GPU: {@code ptxas -arch=sm_90a -v} assembles every shipped PTX (what
 * the driver would JIT), and its report gives registers and spills per kernel. The dense modules
 * were designed not to spill; a spill there is a regression (other modules are reported only).
 */
class PtxasCheckTest {
    private static final Pattern FUNCTION = Pattern.compile("Function properties for (\\S+)");
    private static final Pattern SPILLS = Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern REGISTERS = Pattern.compile("Used (\\d+) registers");

    record KernelReport(String module, String kernel, int registers, int spillStores, int spillLoads) {}

    private static Path ptxas() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            candidates.add(Path.of(dir, "ptxas"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/ptxas"));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    @Test
    void everyShippedPtxAssemblesForHopper() throws IOException, InterruptedException {
        Path ptxas = ptxas();
        Assumptions.assumeTrue(ptxas != null, "ptxas (CUDA toolkit) is not on PATH or in /usr/local/cuda/bin: "
                + "the PTX compile check needs it");
        List<KernelReport> reports = new ArrayList<>();
        for (String module : KernelResourcesTest.modules()) {
            reports.addAll(assemble(ptxas, module));
        }
        System.out.println("ptxas -arch=sm_90a: registers and spills per kernel");
        System.out.printf("%-12s %-28s %5s %12s %11s%n", "module", "kernel", "regs", "spill stores", "spill loads");
        for (KernelReport r : reports) {
            System.out.printf("%-12s %-28s %5d %12d %11d%n", r.module(), r.kernel(), r.registers(), r.spillStores(),
                    r.spillLoads());
        }
        for (KernelReport r : reports) { // every kernel was designed to fit in registers
            assertEquals(0, r.spillStores() + r.spillLoads(), () -> r.module() + "." + r.kernel() + " spills: " + r);
        }
        for (String kernel : List.of("hgemm_nt_f16", "spmm24_f16", "gemv24_f16", "spmm_csr_f16", "armor_f16")) {
            assertTrue(reports.stream().anyMatch(r -> r.kernel().equals(kernel)), kernel + " not found");
        }
    }

    private static List<KernelReport> assemble(Path ptxas, String module) throws IOException, InterruptedException {
        Path ptx = KernelResourcesTest.SHIPPED.resolve(module + ".ptx");
        Path out = Files.createTempFile("shears-" + module, ".cubin");
        try {
            Process p = new ProcessBuilder(ptxas.toString(), "-arch=sm_90a", "-v", ptx.toString(), "-o", out.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "ptxas did not finish on " + ptx);
            assertEquals(0, p.exitValue(), () -> "ptxas failed on " + ptx + ":\n" + log);
            return parse(module, log);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Reads the per-kernel blocks of a -v log; device functions without a register line are skipped. */
    static List<KernelReport> parse(String module, String log) {
        List<KernelReport> reports = new ArrayList<>();
        String name = null;
        int stores = 0;
        int loads = 0;
        for (String line : log.split("\n")) {
            Matcher f = FUNCTION.matcher(line);
            Matcher s = SPILLS.matcher(line);
            Matcher r = REGISTERS.matcher(line);
            if (f.find()) {
                name = f.group(1);
            } else if (s.find()) {
                stores = Integer.parseInt(s.group(1));
                loads = Integer.parseInt(s.group(2));
            } else if (r.find() && name != null) {
                reports.add(new KernelReport(module, name, Integer.parseInt(r.group(1)), stores, loads));
                name = null;
            }
        }
        assertFalse(reports.isEmpty(), "no kernels in the ptxas report of " + module + ":\n" + log);
        return reports;
    }
}
