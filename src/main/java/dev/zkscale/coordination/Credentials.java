package dev.zkscale.coordination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * A ZooKeeper digest identity, {@code user:password}. The password never leaves this object except to authenticate:
 * {@link #toString()} shows the user only, and no message built here quotes the secret.
 *
 * <p>Credentials come from a file (a mounted Kubernetes Secret: setting {@code zkscale.zookeeper.auth-file}) or from
 * the setting {@code zkscale.zookeeper.auth} given as an environment variable or in {@code application.properties};
 * never from the command line, where {@code ps} and shell history would show them, so a {@code -D} system property is
 * refused.
 */
public final class Credentials {
    /** The setting holding {@code user:password} itself. */
    public static final String AUTH = "zkscale.zookeeper.auth";
    /** The setting naming a file that holds {@code user:password}. */
    public static final String AUTH_FILE = "zkscale.zookeeper.auth-file";

    private final String user;
    private final String password;

    private Credentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /**
     * The credentials the settings give, or empty for none (anonymous).
     *
     * @param auth the value of {@link #AUTH}, if set
     * @param authFile the value of {@link #AUTH_FILE}, if set
     * @throws IllegalArgumentException with a one-line message that never quotes the secret: both settings given,
     *     {@link #AUTH} given as a system property, an unreadable file, or not {@code user:password}
     */
    public static Optional<Credentials> fromSettings(Optional<String> auth, Optional<String> authFile) {
        if (System.getProperty(AUTH) != null) {
            throw new IllegalArgumentException("setting " + AUTH + ": not accepted as a -D system property (it would "
                    + "show in the process list); use the environment variable ZKSCALE_ZOOKEEPER_AUTH or " + AUTH_FILE);
        }
        if (auth.isPresent() && authFile.isPresent()) {
            throw new IllegalArgumentException("settings " + AUTH + " and " + AUTH_FILE + ": give one, not both");
        }
        if (auth.isPresent()) {
            return Optional.of(parse(auth.get(), "setting " + AUTH));
        }
        if (authFile.isPresent()) {
            return Optional.of(read(Path.of(authFile.get())));
        }
        return Optional.empty();
    }

    /** The credentials in {@code file}: {@code user:password} on its first line (a trailing newline is ignored). */
    public static Credentials read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(AUTH_FILE + " " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    AUTH_FILE + " " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        return parse(text.strip(), AUTH_FILE + " " + file);
    }

    private static Credentials parse(String text, String origin) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.contains("\n")) {
            throw new IllegalArgumentException(origin + ": must hold user:password on one line");
        }
        return new Credentials(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The user name: the identity recorded in the config history. */
    public String user() {
        return user;
    }

    /** What ZooKeeper's {@code addauth digest} takes. */
    byte[] authBytes() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** The ACL id of this identity: {@code digest:user:base64(sha1(user:password))}. */
    public Id digestId() {
        try {
            return new Id("digest", DigestAuthenticationProvider.generateDigest(user + ":" + password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** {@code digest:user}; never the password. */
    @Override
    public String toString() {
        return "digest:" + user;
    }
}
