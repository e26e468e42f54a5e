package dev.zkscale.deploy;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.failure;
import static dev.zkscale.kube.Fixtures.hpa;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.app.Controller;
import dev.zkscale.app.TestSettings;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.TargetRef;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import dev.zkscale.kube.RecordingDispatcher;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Least privilege, proven: the controller runs a full scenario against a mock API server as the ServiceAccount of an
 * overlay; every request it makes must be allowed by that overlay's rendered RBAC, and every permission the RBAC grants
 * must have been used.
 *
 * <p>The scenario: a Deployment and a StatefulSet in the managed namespace are watched, scaled up (fenced JSON Patch),
 * reported (Events), and their next write is refused with 409, which makes the controller re-read them. Then an HPA
 * on the Deployment comes, goes and comes back: the controller watches HPAs, and the repeated CompetingAutoscaler
 * Warning raises the count of the first one (an Event patch). A target in a
 * namespace the controller does not manage (when it manages a list of namespaces) must cause no request at all.
 */
class RbacTest {
    private static final String CONTROLLER_TOKEN = "zkscale-serviceaccount-token";
    private static final String ADMIN_TOKEN = "test-admin-token";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"existing-zookeeper", "zookeeper-ensemble", "namespaced"})
    @DisplayName("the controller's every request is allowed by the overlay's RBAC, and every grant is used")
    void leastPrivilege(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects(overlay);
        Deployment controller = Manifests.one(objects, Deployment.class, "zkscale");
        String account = controller.getSpec().getTemplate().getSpec().getServiceAccountName();
        String home = controller.getMetadata().getNamespace();
        List<Rbac.Grant> grants = Rbac.grants(objects, home, account);
        Set<String> namespaces = managedNamespaces(objects);
        if (!namespaces.isEmpty()) {
            Set<String> withRole = Manifests.all(objects, Role.class).stream()
                    .map(r -> r.getMetadata().getNamespace())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(namespaces), withRole, "zkscale.namespaces and the namespaces given a Role");
        }

        List<Rbac.Access> used = scenario(namespaces);

        List<String> denied = used.stream()
                .filter(a -> !Rbac.publicNonResource(a) && grants.stream().noneMatch(g -> g.allows(a)))
                .map(Rbac.Access::toString)
                .distinct()
                .toList();
        assertEquals(List.of(), denied, "requests the " + overlay + " RBAC would refuse");
        List<String> unused = grants.stream()
                .filter(g -> used.stream().noneMatch(g::allows))
                .map(Rbac.Grant::toString)
                .toList();
        assertEquals(List.of(), unused, "permissions the " + overlay + " RBAC grants but zkscale never used");
    }

    /** ZKSCALE_NAMESPACES of the overlay's settings ConfigMap, split as Quarkus splits a list; empty: all. */
    private static Set<String> managedNamespaces(List<HasMetadata> objects) {
        List<ConfigMap> settings = Manifests.all(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith("zkscale-settings"))
                .toList();
        assertEquals(1, settings.size(), "one settings ConfigMap");
        String value = settings.get(0).getData().get("ZKSCALE_NAMESPACES");
        Set<String> out = new LinkedHashSet<>();
        if (value != null) {
            Arrays.stream(value.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(out::add);
        }
        return out;
    }

    /** Runs the controller through the scenario; returns what each of its requests asked for, in order. */
    private static List<Rbac.Access> scenario(Set<String> managed) throws Exception {
        String ns = managed.isEmpty() ? "shop" : managed.iterator().next();
        String elsewhere = "not-managed";
        try (TestingServer zk = new TestingServer();
                MockApi api = MockApi.start();
                CuratorFramework curator =
                        ZooKeeperClients.start(zk.getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(3))) {
            KubernetesClient admin = api.newClient(ADMIN_TOKEN);
            for (String namespace : List.of(ns, elsewhere)) {
                workloads(admin, namespace, "450m");
                config(curator, namespace, "web", "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
                config(
                        curator,
                        namespace,
                        "db",
                        "{\"scaleTargetRef\":{\"kind\":\"StatefulSet\",\"name\":\"db\"},"
                                + "\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
            }
            boolean all = managed.isEmpty();
            try (Controller c = Controller.start(
                    TestSettings.of(
                            zk.getConnectString(),
                            "rbac-test",
                            managed.isEmpty() ? Map.of() : Map.of("zkscale.namespaces", String.join(",", managed))),
                    api.newClient(CONTROLLER_TOKEN),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    Clock.systemUTC())) {
                await().until(() -> c.leadership().epoch().isPresent());

                // Scale up both kinds: a patch each, and SuccessfulRescale events
                c.loop().pass();
                assertEquals(
                        4,
                        admin.apps()
                                .deployments()
                                .inNamespace(ns)
                                .withName("web")
                                .get()
                                .getSpec()
                                .getReplicas());
                assertEquals(
                        4,
                        admin.apps()
                                .statefulSets()
                                .inNamespace(ns)
                                .withName("db")
                                .get()
                                .getSpec()
                                .getReplicas());

                // The next writes are refused (409): the controller re-reads each workload, then reports FailedRescale
                api.server
                        .expect()
                        .patch()
                        .withPath("/apis/apps/v1/namespaces/" + ns + "/deployments/web")
                        .andReturn(409, conflict())
                        .once();
                api.server
                        .expect()
                        .patch()
                        .withPath("/apis/apps/v1/namespaces/" + ns + "/statefulsets/db")
                        .andReturn(409, conflict())
                        .once();
                workloads(admin, ns, "900m");
                await().until(() -> {
                    c.loop().pass();
                    return calls(api).stream()
                                    .filter(a ->
                                            a.verb().equals("get") && a.group().equals("apps"))
                                    .count()
                            >= 2;
                });
                // An HPA on web comes, goes and comes back: the same Warning twice, the second a count update
                TargetRef web = new TargetRef(ns, "web");
                createHpa(admin, ns);
                await().until(() -> competing(c, web));
                admin.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .withName("web")
                        .delete();
                await().until(() -> !competing(c, web));
                createHpa(admin, ns);
                await().until(() -> {
                    c.loop().pass();
                    return calls(api).stream()
                            .anyMatch(a ->
                                    a.verb().equals("patch") && a.resource().equals("events"));
                });
                // The informers are watching (a watch starts a moment after the list that start-up waited for)
                await().until(() -> calls(api).stream()
                                .filter(a -> a.verb().equals("watch"))
                                .count()
                        >= 4);
            }
            List<Rbac.Access> used = calls(api);
            if (!all) {
                assertTrue(
                        used.stream().noneMatch(a -> elsewhere.equals(a.namespace())),
                        "a request outside the " + "managed namespaces: " + used);
            }
            return used;
        }
    }

    /** Whether a pass now finds an HPA on the target (and so holds its write back). */
    /** An HPA {@code web} on the Deployment {@code web}. */
    private static void createHpa(KubernetesClient admin, String ns) {
        admin.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(ns)
                .resource(hpa(ns, "web", "web"))
                .create();
    }

    private static boolean competing(Controller c, TargetRef target) {
        c.loop().pass();
        return c.record().latest(target).orElseThrow().snapshot().competingAutoscaler() != null;
    }

    private static List<Rbac.Access> calls(MockApi api) {
        return api.calls().stream()
                .filter(c -> CONTROLLER_TOKEN.equals(c.token()))
                .map(RecordingDispatcher.Call::request)
                .map(r -> Rbac.access(r.method(), r.path()))
                .toList();
    }

    private static String conflict() {
        return failure(409, "Conflict", null);
    }

    /**
     * A Deployment "web" and a StatefulSet "db" of 2 replicas, each with 2 ready pods requesting 500m and using cpu.
     */
    private static void workloads(KubernetesClient admin, String ns, String cpu) {
        admin.apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, "web", 2, Map.of("app", "web"), Map.of()))
                .createOr(r -> r.update());
        StatefulSet db = new StatefulSetBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName("db")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withServiceName("db")
                .withNewSelector()
                .withMatchLabels(Map.of("app", "db"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "db"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("db:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        if (admin.apps().statefulSets().inNamespace(ns).withName("db").get() == null) {
            admin.apps().statefulSets().inNamespace(ns).resource(db).create();
        }
        for (String app : List.of("web", "db")) {
            for (int i = 0; i < 2; i++) {
                admin.pods()
                        .inNamespace(ns)
                        .resource(runningPod(ns, app + "-" + i, Map.of("app", app), "500m"))
                        .createOr(r -> r.update());
                admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                        .inNamespace(ns)
                        .resource(podMetrics(
                                ns,
                                app + "-" + i,
                                Map.of("app", app),
                                Instant.now().toString(),
                                "30s",
                                map("app", cpu)))
                        .createOr(r -> r.update());
            }
        }
    }

    private static void config(CuratorFramework curator, String ns, String name, String json) throws Exception {
        curator.create()
                .creatingParentsIfNeeded()
                .forPath("/zkscale/targets/" + ns + "/" + name, json.getBytes(StandardCharsets.UTF_8));
    }
}
