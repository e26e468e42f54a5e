package dev.zkscale.simulate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * A file written in full or not at all: written to a temporary file beside it, which {@link #commit} moves into place
 * and {@link #close} (without a commit) deletes. So a run that fails half-way leaves no output file.
 */
final class OutputFile implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path target;
    private final Path temporary;
    private boolean committed;

    private OutputFile(Path target, Path temporary) {
        this.target = target;
        this.temporary = temporary;
    }

    /**
     * Creates the temporary file beside {@code target}.
     *
     * @throws IOException when the directory is missing or not writable (the message names {@code target})
     */
    static OutputFile create(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (Files.isDirectory(target)) {
            throw new IOException("cannot write " + target + ": is a directory");
        }
        Path temporary = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            // Created as any file is (the umask decides its mode), unlike Files.createTempFile's owner-only mode.
            Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW).close();
            return new OutputFile(target, temporary);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot write " + target + ": no such directory " + dir, e);
        } catch (IOException | SecurityException e) {
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** The stream to write the content to (the caller closes it before {@link #commit}). */
    OutputStream stream() throws IOException {
        return Files.newOutputStream(temporary);
    }

    /** Moves the content into place. */
    void commit() throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    /** Deletes the temporary file unless it was committed. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            Files.deleteIfExists(temporary);
        }
    }
}
