package dev.zkscale.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Kubernetes objects as the API server would hold them, built tersely for tests. */
public final class Fixtures {

    private Fixtures() {}

    /** A Deployment selecting {@code matchLabels} (and {@code expressions}), with pod template labels to match. */
    public static Deployment deployment(
            String namespace,
            String name,
            Integer replicas,
            Map<String, String> matchLabels,
            Map<String, String> annotations,
            LabelSelectorRequirement... expressions) {
        return new DeploymentBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withNamespace(namespace)
                        .withName(name)
                        .withAnnotations(annotations)
                        .build())
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(matchLabels)
                .withMatchExpressions(expressions)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(matchLabels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("app:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    public static LabelSelectorRequirement requirement(String key, String operator, String... values) {
        return new LabelSelectorRequirement(key, operator, List.of(values));
    }

    /** A container with a CPU request ({@code null}: none). */
    public static Container container(String name, String cpuRequest) {
        ContainerBuilder builder = new ContainerBuilder().withName(name).withImage(name + ":1");
        if (cpuRequest != null) {
            builder.withNewResources()
                    .addToRequests("cpu", new Quantity(cpuRequest))
                    .addToRequests("memory", new Quantity("64Mi"))
                    .endResources();
        } else {
            builder.withNewResources()
                    .addToLimits("memory", new Quantity("64Mi"))
                    .endResources();
        }
        return builder.build();
    }

    /** An init container; {@code restartPolicy} "Always" makes it a sidecar. */
    public static Container initContainer(String name, String cpuRequest, String restartPolicy) {
        Container c = container(name, cpuRequest);
        c.setRestartPolicy(restartPolicy);
        return c;
    }

    /** A Ready condition ({@code status} True/False/Unknown) that last changed at {@code since}. */
    public static PodCondition ready(String status, String since) {
        return new PodConditionBuilder()
                .withType("Ready")
                .withStatus(status)
                .withLastTransitionTime(since)
                .build();
    }

    /** A pod; {@code conditions} may be empty (no Ready condition), {@code startTime} null. */
    public static Pod pod(
            String namespace,
            String name,
            Map<String, String> labels,
            String phase,
            String startTime,
            List<PodCondition> conditions,
            List<Container> containers,
            List<Container> initContainers) {
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withNamespace(namespace)
                        .withName(name)
                        .withLabels(labels)
                        .build())
                .withNewSpec()
                .withContainers(containers)
                .withInitContainers(initContainers)
                .endSpec()
                .withNewStatus()
                .withPhase(phase)
                .withStartTime(startTime)
                .withConditions(conditions)
                .endStatus()
                .build();
    }

    /** A running, ready pod with one container "app" requesting {@code cpu}. */
    public static Pod runningPod(String namespace, String name, Map<String, String> labels, String cpu) {
        return pod(
                namespace,
                name,
                labels,
                "Running",
                "2026-01-01T00:00:00Z",
                List.of(ready("True", "2026-01-01T00:00:30Z")),
                List.of(container("app", cpu)),
                List.of());
    }

    /**
     * A {@code metrics.k8s.io/v1beta1} PodMetrics item exactly as metrics-server serves it (window as Go duration text,
     * usage as quantity strings). {@code cpuByContainer} values may be null: that container then reports memory only.
     */
    public static GenericKubernetesResource podMetrics(
            String namespace,
            String pod,
            Map<String, String> labels,
            String timestamp,
            String window,
            Map<String, String> cpuByContainer) {
        GenericKubernetesResource item = new GenericKubernetesResource();
        item.setApiVersion("metrics.k8s.io/v1beta1");
        item.setKind("PodMetrics");
        item.setMetadata(new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withName(pod)
                .withLabels(labels)
                .build());
        item.setAdditionalProperty("timestamp", timestamp);
        item.setAdditionalProperty("window", window);
        List<Map<String, Object>> containers = new ArrayList<>();
        cpuByContainer.forEach((name, cpu) -> {
            Map<String, Object> usage = new LinkedHashMap<>();
            if (cpu != null) {
                usage.put("cpu", cpu);
            }
            usage.put("memory", "10Mi");
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("name", name);
            container.put("usage", usage);
            containers.add(container);
        });
        item.setAdditionalProperty("containers", containers);
        return item;
    }

    /**
     * Creates, through {@code client}, a Deployment of {@code replicas} selecting {@code labels} and {@code pods}
     * running, ready pods {@code <name>-1} to {@code <name>-<pods>} with one container {@code app} requesting
     * {@code cpu}: a workload as the process tests and benchmarks scale it (the mock runs no controllers, so the pods
     * stay). A create the client retried after a timeout finds its first attempt there, and is an update.
     */
    public static void createWorkload(
            KubernetesClient client,
            String namespace,
            String name,
            Map<String, String> labels,
            int replicas,
            int pods,
            String cpu) {
        client.apps()
                .deployments()
                .inNamespace(namespace)
                .resource(deployment(namespace, name, replicas, labels, null))
                .createOr(NonDeletingOperation::update);
        for (int i = 1; i <= pods; i++) {
            client.pods()
                    .inNamespace(namespace)
                    .resource(runningPod(namespace, name + "-" + i, labels, cpu))
                    .createOr(NonDeletingOperation::update);
        }
    }

    /**
     * metrics-server's view of a workload made by {@link #createWorkload}: each of its {@code pods} uses {@code cpu}
     * in container {@code app}, stamped now (whole seconds), over a 30 s window.
     */
    public static void publishUsage(
            KubernetesClient client, String namespace, String name, Map<String, String> labels, int pods, String cpu) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int i = 1; i <= pods; i++) {
            client.genericKubernetesResources(KubeCluster.POD_METRICS)
                    .inNamespace(namespace)
                    .resource(podMetrics(namespace, name + "-" + i, labels, now, "30s", Map.of("app", cpu)))
                    .createOr(NonDeletingOperation::update);
        }
    }

    /**
     * The JSON body of a failed API call, as the API server answers it: a {@code Status} of {@code code}, with a
     * {@code reason} and a {@code message} (plain text, not escaped) when they are not null.
     */
    public static String failure(int code, String reason, String message) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        json.add("\"kind\":\"Status\"").add("\"apiVersion\":\"v1\"").add("\"status\":\"Failure\"");
        if (message != null) {
            json.add("\"message\":\"" + message + "\"");
        }
        if (reason != null) {
            json.add("\"reason\":\"" + reason + "\"");
        }
        return json.add("\"code\":" + code).toString();
    }

    /** An {@code autoscaling/v2} HPA {@code name} whose {@code scaleTargetRef} is the Deployment {@code deployment}. */
    public static HorizontalPodAutoscaler hpa(String namespace, String name, String deployment) {
        return new HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(deployment)
                .endScaleTargetRef()
                .withMaxReplicas(5)
                .endSpec()
                .build();
    }

    /** An ordered map from alternating keys and values (nulls allowed, unlike {@code Map.of}). */
    public static Map<String, String> map(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
