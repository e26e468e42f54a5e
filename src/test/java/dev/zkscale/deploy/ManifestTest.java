package dev.zkscale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.zookeeper.server.quorum.QuorumPeer.QuorumServer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests under {@code k8s/} as {@code kubectl kustomize} renders each overlay: they parse with the fabric8 model
 * with no unknown field, and they hang together (selectors, ports, names, the ZooKeeper ensemble), and every pod runs
 * as the restricted Pod Security Standard demands. What they must agree on with the application itself (image,
 * port, probe paths, setting names) is checked by {@code dev.zkscale.app.ManifestsMatchAppTest}.
 */
class ManifestTest {
    static final String CONTROLLER = "zkscale";
    /** The container port of Quarkus' management interface: metrics and the decision record. */
    static final String MANAGEMENT = "management";

    static List<String> overlays() throws Exception {
        return Manifests.overlays();
    }

    @Test
    @DisplayName("the overlays are the ones the README documents")
    void overlayNames() throws Exception {
        assertEquals(List.of("existing-zookeeper", "namespaced", "zookeeper-ensemble"), overlays());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    @DisplayName("every object parses with the fabric8 model, with no unknown field, and names its namespace")
    void parsesWithoutUnknownFields(String overlay) {
        List<HasMetadata> objects = Manifests.objects(overlay);
        assertFalse(objects.isEmpty());
        List<String> problems = new ArrayList<>();
        for (HasMetadata o : objects) {
            String where = o.getKind() + " " + o.getMetadata().getName();
            unknownFields(o, where, problems);
            if (o instanceof Namespaced && o.getMetadata().getNamespace() == null) {
                problems.add(where + ": no namespace");
            }
        }
        assertEquals(List.of(), problems, overlay);
    }

    @Test
    @DisplayName("the unknown-field check finds a misspelt field deep in a pod template, and an unknown kind")
    void unknownFieldCheckWorks() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: x
                          securityContext: {readOnlyRootFileSystem: true}
                """;
        List<String> problems = new ArrayList<>();
        unknownFields(Manifests.SERIALIZATION.unmarshal(yaml, HasMetadata.class), "Deployment x", problems);
        assertEquals(
                List.of("Deployment x.spec.template.spec.containers[0].securityContext: unknown fields "
                        + "[readOnlyRootFileSystem]"),
                problems);
        problems.clear();
        unknownFields(
                Manifests.SERIALIZATION.unmarshal(
                        "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: y}\n", HasMetadata.class),
                "Thing y",
                problems);
        assertEquals(List.of("Thing y: kind Thing (example.com/v1) is not in the fabric8 model"), problems);
    }

    /**
     * Walks a fabric8 model object through its getters and reports each non-empty {@code additionalProperties}: the
     * fields the model did not know, i.e. a misspelt or misplaced field that the API server would reject or drop.
     */
    static void unknownFields(Object o, String path, List<String> problems) {
        if (o == null) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        if (o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource g) {
            problems.add(path + ": kind " + g.getKind() + " (" + g.getApiVersion() + ") is not in the fabric8 model");
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0
                    || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class
                    || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown fields " + extra.keySet());
                }
            } else if (m.getName().length() > 3) {
                String field = Character.toLowerCase(m.getName().charAt(3))
                        + m.getName().substring(4);
                unknownFields(value, path + "." + field, problems);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    @DisplayName(
            "every pod runs non-root, read-only, without capabilities, with RuntimeDefault seccomp, probes and limits")
    void restrictedPods(String overlay) {
        List<HasMetadata> objects = Manifests.objects(overlay);
        Namespace ns = Manifests.one(objects, Namespace.class, CONTROLLER);
        assertEquals("restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
        List<String> problems = new ArrayList<>();
        for (HasMetadata o : objects) {
            PodTemplateSpec template = template(o);
            if (template == null) {
                continue;
            }
            String where = o.getKind() + " " + o.getMetadata().getName();
            PodSpec pod = template.getSpec();
            check(
                    problems,
                    where + ": runAsNonRoot",
                    Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot()));
            check(
                    problems,
                    where + ": seccomp RuntimeDefault",
                    "RuntimeDefault"
                            .equals(pod.getSecurityContext().getSeccompProfile().getType()));
            check(
                    problems,
                    where + ": a non-zero user",
                    pod.getSecurityContext().getRunAsUser() != null
                            && pod.getSecurityContext().getRunAsUser() > 0);
            for (Container c : pod.getContainers()) {
                String cw = where + " container " + c.getName();
                var sc = c.getSecurityContext();
                check(problems, cw + ": securityContext", sc != null);
                if (sc == null) {
                    continue;
                }
                check(
                        problems,
                        cw + ": allowPrivilegeEscalation false",
                        Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()));
                check(problems, cw + ": readOnlyRootFilesystem", Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()));
                check(
                        problems,
                        cw + ": drops ALL capabilities",
                        sc.getCapabilities() != null
                                && sc.getCapabilities().getDrop().equals(List.of("ALL"))
                                && sc.getCapabilities().getAdd().isEmpty());
                check(
                        problems,
                        cw + ": readiness and liveness probes",
                        c.getReadinessProbe() != null && c.getLivenessProbe() != null);
                check(
                        problems,
                        cw + ": CPU and memory requests, a memory limit",
                        c.getResources() != null
                                && c.getResources().getRequests().containsKey("cpu")
                                && c.getResources().getRequests().containsKey("memory")
                                && c.getResources().getLimits().containsKey("memory"));
                check(problems, cw + ": a writable /tmp (emptyDir)", mountedEmptyDir(pod, c, "/tmp"));
            }
        }
        assertEquals(List.of(), problems, overlay);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    @DisplayName("the controller: 2 instances on different nodes, a PDB, a graceful handover, its Service, "
            + "ServiceMonitor and NetworkPolicy")
    void controller(String overlay) {
        List<HasMetadata> objects = Manifests.objects(overlay);
        Deployment d = Manifests.one(objects, Deployment.class, CONTROLLER);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(d.getSpec().getReplicas() >= 2, "replicas");
        assertEquals(
                0,
                d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
                "a rollout starts the new instance before stopping an old one");
        TopologySpreadConstraint byNode = pod.getTopologySpreadConstraints().stream()
                .filter(t -> t.getTopologyKey().equals("kubernetes.io/hostname"))
                .findFirst()
                .orElseThrow();
        assertEquals("DoNotSchedule", byNode.getWhenUnsatisfiable());
        assertEquals(1, byNode.getMaxSkew());
        assertTrue(selects(byNode.getLabelSelector().getMatchLabels(), labels));

        // The handover on SIGTERM takes milliseconds; the grace period must also cover a pass in flight (a Kubernetes
        // request times out after 5 s) and must not be shorter than the ZooKeeper session, after which a killed leader
        // would be replaced anyway.
        Map<String, String> settings = settings(objects);
        Duration session = Duration.parse("PT"
                + settings.getOrDefault("ZKSCALE_ZOOKEEPER_SESSION_TIMEOUT", "10s")
                        .toUpperCase());
        assertTrue(
                pod.getTerminationGracePeriodSeconds() >= session.toSeconds() + 5,
                "terminationGracePeriodSeconds " + pod.getTerminationGracePeriodSeconds() + " vs session " + session);

        PodDisruptionBudget pdb = Manifests.one(objects, PodDisruptionBudget.class, CONTROLLER);
        assertTrue(selects(pdb.getSpec().getSelector().getMatchLabels(), labels));
        assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());

        Container c = container(d);
        Service svc = Manifests.one(objects, Service.class, CONTROLLER);
        assertTrue(selects(svc.getSpec().getSelector(), labels));
        assertEquals(1, svc.getSpec().getPorts().size(), "the Service exposes the management port alone");
        ServicePort http = svc.getSpec().getPorts().get(0);
        assertEquals(MANAGEMENT, http.getTargetPort().getStrVal(), "the Service exposes the management port alone");
        int management = containerPort(c, MANAGEMENT);
        ServiceMonitor sm = Manifests.one(objects, ServiceMonitor.class, CONTROLLER);
        assertTrue(selects(
                sm.getSpec().getSelector().getMatchLabels(), svc.getMetadata().getLabels()));
        assertEquals(http.getName(), sm.getSpec().getEndpoints().get(0).getPort());
        assertEquals("/q/metrics", sm.getSpec().getEndpoints().get(0).getPath());
        assertNotNull(Manifests.one(objects, PrometheusRule.class, CONTROLLER));
        ConfigMap dashboard = Manifests.one(objects, ConfigMap.class, "zkscale-dashboard");
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));

        NetworkPolicy np = Manifests.one(objects, NetworkPolicy.class, CONTROLLER);
        assertTrue(selects(np.getSpec().getPodSelector().getMatchLabels(), labels));
        assertEquals(List.of("Ingress", "Egress"), np.getSpec().getPolicyTypes());
        // In: the management port alone, from the monitoring namespace alone (a rule without "from" would admit every
        // pod); the health port from nowhere (the kubelet's probes come from the node, which no policy blocks).
        assertEquals(1, np.getSpec().getIngress().size(), "one ingress rule");
        NetworkPolicyIngressRule in = np.getSpec().getIngress().get(0);
        assertEquals(Set.of(management), ports(in.getPorts()), "ingress: the management port only");
        assertFalse(in.getFrom().isEmpty(), "ingress: from the monitoring namespace, not from everywhere");
        for (NetworkPolicyPeer peer : in.getFrom()) {
            assertEquals(
                    Map.of("kubernetes.io/metadata.name", "monitoring"),
                    peer.getNamespaceSelector().getMatchLabels(),
                    "ingress: from the monitoring namespace");
            assertEquals(null, peer.getPodSelector(), "ingress: any pod of that namespace (its Prometheus)");
            assertEquals(null, peer.getIpBlock(), "ingress: no address range");
        }
        Set<Integer> out = ports(np.getSpec().getEgress().stream()
                .flatMap(r -> r.getPorts().stream())
                .toList());
        for (int zk : zookeeperPorts(settings.get("ZKSCALE_ZOOKEEPER_CONNECT"))) {
            assertTrue(out.contains(zk), "egress to ZooKeeper port " + zk);
        }
        assertTrue(out.containsAll(Set.of(53, 443)), "egress to DNS and the API server");
        assertEquals(Set.of(53, 443, 6443, 2181), out, "egress: DNS, ZooKeeper and the API server only");
        List<StatefulSet> ensemble = Manifests.all(objects, StatefulSet.class);
        if (!ensemble.isEmpty()) {
            Map<String, String> members =
                    ensemble.get(0).getSpec().getTemplate().getMetadata().getLabels();
            for (NetworkPolicyEgressRule rule : np.getSpec().getEgress()) {
                if (ports(rule.getPorts()).contains(2181)) {
                    assertFalse(rule.getTo().isEmpty(), "egress to ZooKeeper: the ensemble's pods only");
                    for (NetworkPolicyPeer peer : rule.getTo()) {
                        assertTrue(selects(peer.getPodSelector().getMatchLabels(), members), peer.toString());
                        assertEquals(null, peer.getNamespaceSelector(), "the ensemble's own namespace");
                    }
                }
            }
        }

        // ZooKeeper credentials: the auth file lies inside the mounted Secret, which only the container's group reads
        String authFile = env(c, "ZKSCALE_ZOOKEEPER_AUTH_FILE");
        VolumeMount secretMount = c.getVolumeMounts().stream()
                .filter(m -> authFile.startsWith(m.getMountPath() + "/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at " + authFile));
        Volume secret = pod.getVolumes().stream()
                .filter(v -> v.getName().equals(secretMount.getName()))
                .findFirst()
                .orElseThrow();
        assertNotNull(secret.getSecret(), "the ZooKeeper credentials come from a Secret");
        assertEquals("zkscale-zookeeper-auth", secret.getSecret().getSecretName());
        assertTrue(secretMount.getReadOnly());
        assertEquals(
                pod.getSecurityContext().getRunAsGroup(),
                pod.getSecurityContext().getFsGroup());
        assertEquals(0440, secret.getSecret().getDefaultMode());
    }

    @Test
    @DisplayName("the ensemble: 3 members on persistent volumes, found through a headless Service, a PDB, and "
            + "zkscale pointed at them")
    void ensemble(@TempDir Path dataDir) throws Exception {
        List<HasMetadata> objects = Manifests.objects("zookeeper-ensemble");
        StatefulSet sts = Manifests.one(objects, StatefulSet.class, "zookeeper");
        String ns = sts.getMetadata().getNamespace();
        assertEquals(3, sts.getSpec().getReplicas());
        assertEquals("Parallel", sts.getSpec().getPodManagementPolicy());
        Map<String, String> labels = sts.getSpec().getTemplate().getMetadata().getLabels();
        Service headless = Manifests.one(objects, Service.class, sts.getSpec().getServiceName());
        assertEquals("None", headless.getSpec().getClusterIP());
        assertTrue(headless.getSpec().getPublishNotReadyAddresses(), "members find each other before they are ready");
        assertTrue(selects(headless.getSpec().getSelector(), labels));
        PodDisruptionBudget pdb = Manifests.one(objects, PodDisruptionBudget.class, "zookeeper");
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
        assertTrue(selects(pdb.getSpec().getSelector().getMatchLabels(), labels));
        assertEquals(
                "kubernetes.io/hostname",
                sts.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getTopologySpreadConstraints()
                        .get(0)
                        .getTopologyKey());

        // zoo.cfg, from the ConfigMap the pods mount, is valid for ZooKeeper itself and names the three pods
        Container zk = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        String conf = zk.getVolumeMounts().stream()
                .filter(m -> m.getName().equals("config"))
                .findFirst()
                .orElseThrow()
                .getMountPath();
        assertTrue(String.join(" ", zk.getCommand()).contains(conf + "/zoo.cfg"));
        String configMap = sts.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("config"))
                .findFirst()
                .orElseThrow()
                .getConfigMap()
                .getName();
        Properties cfg = new Properties();
        cfg.load(new StringReader(
                Manifests.one(objects, ConfigMap.class, configMap).getData().get("zoo.cfg")));
        String data = cfg.getProperty("dataDir");
        assertEquals(
                sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName(),
                zk.getVolumeMounts().stream()
                        .filter(m -> m.getMountPath().equals(data))
                        .findFirst()
                        .orElseThrow()
                        .getName(),
                "dataDir is the persistent volume");
        cfg.setProperty("dataDir", dataDir.toString());
        Files.writeString(dataDir.resolve("myid"), "1");
        QuorumPeerConfig parsed = parseAsZooKeeper(cfg);
        List<String> members = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            QuorumServer s = parsed.getQuorumVerifier().getAllMembers().get(id);
            assertNotNull(s, "server." + id);
            assertEquals(
                    sts.getMetadata().getName() + "-" + (id - 1) + "."
                            + headless.getMetadata().getName() + "." + ns + ".svc",
                    s.hostname,
                    "server." + id + " is pod ordinal " + (id - 1));
            members.add(s.hostname + ":" + parsed.getClientPortAddress().getPort());
        }
        assertEquals(3, parsed.getQuorumVerifier().getVotingMembers().size());

        // zkscale connects to exactly those members, and their NetworkPolicy lets it in
        assertEquals(
                members,
                List.of(settings(objects).get("ZKSCALE_ZOOKEEPER_CONNECT").split(",")));
        NetworkPolicy np = Manifests.one(objects, NetworkPolicy.class, "zookeeper");
        Map<String, String> controller = Manifests.one(objects, Deployment.class, CONTROLLER)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels();
        assertTrue(np.getSpec().getIngress().stream()
                .anyMatch(r -> ports(r.getPorts()).contains(2181)
                        && r.getFrom().stream()
                                .anyMatch(p -> p.getPodSelector() != null
                                        && selects(p.getPodSelector().getMatchLabels(), controller))));
    }

    /**
     * ZooKeeper's own reading of a server config. It leaves state behind in the JVM (static flags, "zookeeper.*" system
     * properties for keys it passes through), which would break the ZooKeeper test servers of later tests: restored.
     */
    private static QuorumPeerConfig parseAsZooKeeper(Properties cfg) throws Exception {
        Properties system = (Properties) System.getProperties().clone();
        boolean standalone = QuorumPeerConfig.isStandaloneEnabled();
        boolean reconfig = QuorumPeerConfig.isReconfigEnabled();
        try {
            QuorumPeerConfig parsed = new QuorumPeerConfig();
            parsed.parseProperties(cfg);
            return parsed;
        } finally {
            System.setProperties(system);
            QuorumPeerConfig.setStandaloneEnabled(standalone);
            QuorumPeerConfig.setReconfigEnabled(reconfig);
        }
    }

    // --- helpers shared with the app-side checks ---------------------------------------------------------------------

    /** The controller's container in its Deployment. */
    static Container container(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(CONTROLLER))
                .findFirst()
                .orElseThrow();
    }

    /** The settings ConfigMap's data (its name carries a content hash). */
    static Map<String, String> settings(List<HasMetadata> objects) {
        List<ConfigMap> found = Manifests.all(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith("zkscale-settings-"))
                .toList();
        assertEquals(1, found.size());
        return found.get(0).getData();
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .filter(Objects::nonNull)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static PodTemplateSpec template(HasMetadata o) {
        if (o instanceof Deployment d) {
            return d.getSpec().getTemplate();
        }
        if (o instanceof StatefulSet s) {
            return s.getSpec().getTemplate();
        }
        return null;
    }

    private static boolean mountedEmptyDir(PodSpec pod, Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .anyMatch(m -> pod.getVolumes().stream()
                        .anyMatch(v -> v.getName().equals(m.getName()) && v.getEmptyDir() != null));
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null
                && !selector.isEmpty()
                && labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** The number of the container's port of that name. */
    private static int containerPort(Container c, String name) {
        return c.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the container has no port " + name))
                .getContainerPort();
    }

    private static Set<Integer> ports(List<NetworkPolicyPort> ports) {
        return ports.stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
    }

    private static List<Integer> zookeeperPorts(String connect) {
        assertNotNull(connect, "ZKSCALE_ZOOKEEPER_CONNECT is set");
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile(":(\\d+)").matcher(connect.replaceAll("/.*$", ""));
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(connect.split(",").length, out.size(), "every member of " + connect + " names its port");
        return out;
    }

    private static void check(List<String> problems, String what, boolean ok) {
        if (!ok) {
            problems.add(what);
        }
    }

    static String[] split(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).toArray(String[]::new);
    }
}
