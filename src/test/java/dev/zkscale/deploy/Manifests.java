package dev.zkscale.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The manifests under {@code k8s/} as a user applies them: each overlay rendered by {@code kubectl kustomize}
 * (offline), and parsed into the fabric8 model. Renders are cached per overlay for the test JVM.
 */
public final class Manifests {
    static final Path K8S = Path.of("k8s");
    static final Path OVERLAYS = K8S.resolve("overlays");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static final ConcurrentHashMap<String, String> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {}

    /** The overlays: every directory under {@code k8s/overlays}, by name. */
    public static List<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    /** {@code kubectl kustomize k8s/overlays/NAME}: the YAML a user would apply. */
    public static String render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Manifests::kustomize);
    }

    /** The rendered overlay, one fabric8 object per document. */
    public static List<HasMetadata> objects(String overlay) {
        List<HasMetadata> out = new ArrayList<>();
        for (String document : render(overlay).split("(?m)^---$")) {
            if (!document.isBlank()) {
                try {
                    out.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
                } catch (RuntimeException e) {
                    throw new AssertionError(
                            "overlay " + overlay + ": the fabric8 model cannot read this object: " + e.getMessage()
                                    + "\n" + document,
                            e);
                }
            }
        }
        return out;
    }

    /** The objects of one kind, in render order. */
    public static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one object of this kind and name. */
    public static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = all(objects, type).stream()
                .filter(o -> o.getMetadata().getName().equals(name))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    private static String kustomize(String overlay) {
        Path dir = OVERLAYS.resolve(overlay);
        try {
            Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                    .redirectErrorStream(false)
                    .start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(
                        "kubectl kustomize " + dir + " failed: " + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl (needed to render " + dir + "; .ci/run installs it): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + dir, e);
        }
    }
}
