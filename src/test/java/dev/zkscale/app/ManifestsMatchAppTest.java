package dev.zkscale.app;

import static dev.zkscale.app.AppHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zkscale.deploy.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests agree with the application: the image is the one the build makes, the container ports are the ports
 * zkscale listens on, the probes ask the application port and the ServiceMonitor the management port for paths
 * zkscale serves there, and every setting the
 * Deployment passes is one zkscale reads, with a value it accepts.
 */
@QuarkusTest
@QuarkusTestResource(ClusterResource.class)
class ManifestsMatchAppTest {
    /**
     * Settings the manifests pass before this branch's application reads them: allowed while unknown, checked like any
     * other once {@link ZkscaleSettings} has them. {@code zkscale.zookeeper.auth-file} comes with ZooKeeper access
     * control (the live-tuning work).
     */
    private static final Set<String> PENDING = Set.of("ZKSCALE_ZOOKEEPER_AUTH_FILE");

    @TestHTTPResource("/")
    URI base;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    static List<String> overlays() throws Exception {
        return Manifests.overlays();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    @DisplayName("image, port, probe and scrape paths match what the application is and serves")
    void servesWhatTheManifestsAskFor(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects(overlay);
        Container c = controller(objects);
        var config = ConfigProvider.getConfig();
        assertEquals(
                config.getValue("quarkus.application.name", String.class) + ":"
                        + config.getValue("quarkus.application.version", String.class),
                c.getImage(),
                "the image that src/main/docker/build-image.sh tags");
        Map<String, Integer> ports = new LinkedHashMap<>();
        c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
        assertEquals(
                Map.of(
                        "http", productionPort("quarkus.http.port", 8080),
                        "management", productionPort("quarkus.management.port", 9000)),
                ports,
                "the application port (health) and the management interface (metrics, decision record)");

        List<String> paths = new ArrayList<>();
        for (Probe p : new Probe[] {c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe()}) {
            if (p != null) {
                HTTPGetAction get = p.getHttpGet();
                assertNotNull(get, "an HTTP probe");
                assertEquals("http", get.getPort().getStrVal(), "the probes ask the application port");
                paths.add(get.getPath());
            }
        }
        ServiceMonitor sm = Manifests.one(objects, ServiceMonitor.class, "zkscale");
        String metrics = sm.getSpec().getEndpoints().get(0).getPath();
        ServicePort scraped = Manifests.one(objects, Service.class, "zkscale").getSpec().getPorts().stream()
                .filter(p ->
                        p.getName().equals(sm.getSpec().getEndpoints().get(0).getPort()))
                .findFirst()
                .orElseThrow();
        assertEquals("management", scraped.getTargetPort().getStrVal(), "Prometheus scrapes the management port");
        HttpResponse<String> scrape = get(management, metrics);
        assertEquals(200, scrape.statusCode(), metrics);
        assertTrue(scrape.body().contains("zkscale_leader"), "zkscale's metrics at " + metrics);

        assertTrue(paths.containsAll(List.of("/q/health/ready", "/q/health/live")), "probes " + paths);
        assumeTrue(
                healthExtension(),
                "the health extension (quarkus-smallrye-health) is not in this build yet: " + "the probe paths " + paths
                        + " are the paths it will serve, not yet answered");
        for (String path : paths) {
            HttpResponse<String> r = get(base, path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    @DisplayName("every ZKSCALE_* and QUARKUS_* variable the Deployment passes is a setting zkscale reads, with a "
            + "valid value")
    void settingsAreRealAndValid(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects(overlay);
        Container c = controller(objects);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            String name = from.getConfigMapRef().getName();
            env.putAll(Manifests.one(objects, ConfigMap.class, name).getData());
        }
        for (EnvVar e : c.getEnv()) {
            env.put(
                    e.getName(),
                    e.getValue() != null ? e.getValue() : "from-" + e.getName().toLowerCase());
        }
        Set<String> known = new TreeSet<>();
        properties("zkscale", ZkscaleSettings.class, known);
        properties("quarkus.kubernetes-client", KubernetesClients.Settings.class, known);
        Set<String> knownEnv = new TreeSet<>();
        known.forEach(p -> knownEnv.add(p.toUpperCase().replaceAll("[^A-Z0-9]", "_")));
        Set<String> unknown = new LinkedHashSet<>();
        for (String name : env.keySet()) {
            if (!knownEnv.contains(name) && !PENDING.contains(name)) {
                unknown.add(name);
            }
        }
        assertEquals(Set.of(), unknown, "variables that map to no setting (known: " + knownEnv + ")");

        // The values convert as zkscale will convert them when it starts (durations as Quarkus reads them)
        SmallRyeConfig parsed = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(ZkscaleSettings.class)
                .build();
        ZkscaleSettings settings = parsed.getConfigMapping(ZkscaleSettings.class);
        assertTrue(
                settings.zookeeper().connect().contains(":"),
                settings.zookeeper().connect());
        assertEquals(env.get("ZKSCALE_INSTANCE_ID"), settings.instanceId().orElseThrow());
    }

    private static Container controller(List<HasMetadata> objects) {
        return Manifests.one(objects, Deployment.class, "zkscale")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .stream()
                .filter(c -> c.getName().equals("zkscale"))
                .findFirst()
                .orElseThrow();
    }

    /**
     * The property names of a {@code @ConfigMapping} interface, as SmallRye names them: each getter in kebab case, a
     * nested interface a group.
     */
    private static void properties(String prefix, Class<?> mapping, Set<String> out) {
        for (Method m : mapping.getDeclaredMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            String name = prefix + "."
                    + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == mapping) {
                properties(name, type, out);
            } else {
                out.add(name);
            }
        }
    }

    /** A port as the packaged application has it: application.properties, else Quarkus' default. */
    private static int productionPort(String property, int quarkusDefault) throws Exception {
        Properties p = new Properties();
        try (InputStream in = ManifestsMatchAppTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty(property, Integer.toString(quarkusDefault)));
    }

    private static boolean healthExtension() {
        try {
            Class.forName("io.smallrye.health.SmallRyeHealthReporter");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
