package dev.shears.train;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file whole or not at all: into a temporary file beside it, then moved into place. */
final class AtomicFile {
    /** Fills the temporary file. */
    @FunctionalInterface
    interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    private AtomicFile() {}

    /** Writes {@code target} through {@code content}; a failure leaves any previous file and no temporary one. */
    static void write(Path target, Content content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            content.writeTo(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
