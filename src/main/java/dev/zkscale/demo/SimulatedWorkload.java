package dev.zkscale.demo;

import dev.zkscale.kube.KubeCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The cluster around the Deployment {@code shop/web}, played against the in-process API server: the Deployment
 * controller and kubelet (pods appear {@link #APPEAR_AFTER} after a scale-up is written, run {@link #START_AFTER}
 * later, and are Ready {@link #READY_AFTER} after starting; surplus pods go at once, unready and newest first) and
 * metrics-server (each running pod's PodMetrics every pass: the demand split evenly across the Ready pods, each capped
 * at its CPU limit, with a little noise; a starting pod uses {@link #STARTUP_MILLI}). Time is the demo's clock.
 * Called from the story's thread only. A step that fails part-way (the API server did not answer) leaves the rest to
 * the next step.
 */
final class SimulatedWorkload {
    static final String NAMESPACE = "shop";
    static final String NAME = "web";
    static final int REQUEST_MILLI = 500;
    static final int LIMIT_MILLI = 1000;
    static final int STARTUP_MILLI = 150;
    static final Duration APPEAR_AFTER = Duration.ofSeconds(3);
    static final Duration START_AFTER = Duration.ofSeconds(2);
    static final Duration READY_AFTER = Duration.ofSeconds(20);
    private static final Duration METRICS_WINDOW = Duration.ofSeconds(30);
    private static final Map<String, String> LABELS = Map.of("app", NAME);

    private final KubernetesClient client;
    private final Random noise = new Random(7);
    private final Map<String, SimPod> pods = new LinkedHashMap<>();
    private int serial;
    private int reportedReplicas = -1;
    private int reportedReady = -1;
    private State last = new State(0, 0, 0, 0, 0);

    /** A pod as the simulation knows it: when it was created, started and became (or becomes) Ready. */
    private static final class SimPod {
        final String name;
        final Instant created;
        final Instant started;
        final Instant ready;
        Pod object;
        boolean readyWritten;
        boolean metricsWritten;

        SimPod(String name, Instant created) {
            this.name = name;
            this.created = created;
            this.started = created.plus(START_AFTER);
            this.ready = started.plus(READY_AFTER);
        }
    }

    /** What one step left behind: the Deployment's size, the pods, the CPU used by Ready pods. */
    record State(int specReplicas, int pods, int readyPods, double readyUsageMilli, double demandMilli) {
        /** CPU utilization of the Ready pods, percent of their requests; -1 when none is Ready. */
        double utilization() {
            return readyPods == 0 ? -1 : 100.0 * readyUsageMilli / (readyPods * REQUEST_MILLI);
        }
    }

    SimulatedWorkload(KubernetesClient client) {
        this.client = client;
    }

    /** Creates the Deployment with {@code replicas} pods that have long been Ready. */
    void create(int replicas, Instant now) {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                .withNamespace(NAMESPACE)
                .withName(NAME)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(LABELS)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(LABELS)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("shop/web:1")
                .withNewResources()
                .addToRequests("cpu", new Quantity(REQUEST_MILLI + "m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("cpu", new Quantity(LIMIT_MILLI + "m"))
                .endResources()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        client.apps().deployments().inNamespace(NAMESPACE).resource(deployment).create();
        for (int i = 0; i < replicas; i++) {
            add(now.minus(Duration.ofMinutes(10)), now);
        }
    }

    /**
     * Brings the pods and their metrics to time {@code now}: follows the Deployment's replicas (a change is taken to
     * have been written at {@code lastPass}), moves pods through their start-up, and reports {@code demandMilli} of
     * CPU demand spread across the Ready pods.
     */
    State step(Instant now, Instant lastPass, double demandMilli) {
        Deployment deployment = client.apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .withName(NAME)
                .get();
        int spec = deployment.getSpec().getReplicas() == null
                ? 1
                : deployment.getSpec().getReplicas();
        while (pods.size() < spec) {
            add(lastPass.plus(APPEAR_AFTER), now);
        }
        if (pods.size() > spec) {
            List<SimPod> order = new ArrayList<>(pods.values());
            // As a ReplicaSet picks: pods not yet Ready first, then the newest.
            order.sort(Comparator.comparing((SimPod p) -> !now.isBefore(p.ready))
                    .thenComparing(p -> p.created, Comparator.reverseOrder()));
            for (SimPod p : order.subList(0, pods.size() - spec)) {
                remove(p);
            }
        }
        List<SimPod> running = new ArrayList<>();
        int ready = 0;
        for (SimPod p : pods.values()) {
            boolean isReady = !now.isBefore(p.ready);
            if (isReady && !p.readyWritten) {
                p.object = client.pods()
                        .inNamespace(NAMESPACE)
                        .resource(pod(p, true))
                        .update();
                p.readyWritten = true;
            }
            if (!now.isBefore(p.started)) {
                running.add(p);
            }
            if (isReady) {
                ready++;
            }
        }
        double share = ready == 0 ? 0 : demandMilli / ready;
        double readyUsage = 0;
        for (SimPod p : running) {
            boolean isReady = !now.isBefore(p.ready);
            double usage = isReady ? Math.min(LIMIT_MILLI, share * (0.97 + 0.06 * noise.nextDouble())) : STARTUP_MILLI;
            if (isReady) {
                readyUsage += usage;
            }
            GenericKubernetesResource metrics = podMetrics(p.name, now, Math.round(usage));
            if (p.metricsWritten) {
                // One request per pod and pass, replacing the sample's time and usage. (A JSON merge patch would do in
                // a real API server; the mock merges arrays instead of replacing them.)
                String patch = Serialization.asJson(List.of(
                        Map.of("op", "replace", "path", "/timestamp", "value", now.toString()),
                        Map.of(
                                "op",
                                "replace",
                                "path",
                                "/containers",
                                "value",
                                metrics.getAdditionalProperties().get("containers"))));
                client.genericKubernetesResources(KubeCluster.POD_METRICS)
                        .inNamespace(NAMESPACE)
                        .withName(p.name)
                        .patch(PatchContext.of(PatchType.JSON), patch);
            } else {
                client.genericKubernetesResources(KubeCluster.POD_METRICS)
                        .inNamespace(NAMESPACE)
                        .resource(metrics)
                        .create();
                p.metricsWritten = true;
            }
        }
        if (pods.size() != reportedReplicas || ready != reportedReady) {
            String status = String.format(
                    "{\"status\":{\"replicas\":%d,\"readyReplicas\":%d,\"availableReplicas\":%d,"
                            + "\"updatedReplicas\":%d}}",
                    pods.size(), ready, ready, pods.size());
            client.apps()
                    .deployments()
                    .inNamespace(NAMESPACE)
                    .withName(NAME)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), status);
            reportedReplicas = pods.size();
            reportedReady = ready;
        }
        last = new State(spec, pods.size(), ready, readyUsage, demandMilli);
        return last;
    }

    /** The state the last complete step left behind. */
    State last() {
        return last;
    }

    private void add(Instant created, Instant now) {
        SimPod p = new SimPod(NAME + "-" + Integer.toString(++serial + 36 * 36, 36), created);
        p.readyWritten = !now.isBefore(p.ready);
        p.object = client.pods()
                .inNamespace(NAMESPACE)
                .resource(pod(p, p.readyWritten))
                .create();
        pods.put(p.name, p);
    }

    private void remove(SimPod p) {
        pods.remove(p.name);
        client.pods().inNamespace(NAMESPACE).withName(p.name).delete();
        client.genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace(NAMESPACE)
                .withName(p.name)
                .delete();
    }

    private Pod pod(SimPod p, boolean ready) {
        PodBuilder builder = p.object == null ? new PodBuilder() : new PodBuilder(p.object);
        return builder.withMetadata(new ObjectMetaBuilder(p.object == null ? null : p.object.getMetadata())
                        .withNamespace(NAMESPACE)
                        .withName(p.name)
                        .withLabels(LABELS)
                        .withCreationTimestamp(p.created.toString())
                        .build())
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("shop/web:1")
                .withNewResources()
                .addToRequests("cpu", new Quantity(REQUEST_MILLI + "m"))
                .addToLimits("cpu", new Quantity(LIMIT_MILLI + "m"))
                .endResources()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withStartTime(p.started.toString())
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .withLastTransitionTime((ready ? p.ready : p.started).toString())
                .endCondition()
                .endStatus()
                .build();
    }

    private static GenericKubernetesResource podMetrics(String pod, Instant now, long usageMilli) {
        GenericKubernetesResource item = new GenericKubernetesResource();
        item.setApiVersion("metrics.k8s.io/v1beta1");
        item.setKind("PodMetrics");
        item.setMetadata(new ObjectMetaBuilder()
                .withNamespace(NAMESPACE)
                .withName(pod)
                .withLabels(LABELS)
                .build());
        item.setAdditionalProperty("timestamp", now.toString());
        item.setAdditionalProperty("window", METRICS_WINDOW.toSeconds() + "s");
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("cpu", usageMilli + "m");
        usage.put("memory", "180Mi");
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "app");
        container.put("usage", usage);
        item.setAdditionalProperty("containers", List.of(container));
        return item;
    }
}
