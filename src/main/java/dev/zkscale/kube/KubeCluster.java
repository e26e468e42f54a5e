package dev.zkscale.kube;

import dev.zkscale.loop.Autoscalers;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.DecisionLog;
import dev.zkscale.loop.Leadership;
import dev.zkscale.loop.Monitor;
import dev.zkscale.loop.TuningSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The control loop's Kubernetes adapters on one fabric8 {@link KubernetesClient}, with one lifecycle: the cached
 * reads ({@link KubeWorkloads}, {@link KubeAutoscalers}), the metrics API ({@link KubeMetrics}), the fenced write
 * and the takeover's stamps ({@link KubeScaleWriter}) and Events ({@link KubeEvents}, sent by their own thread). Also
 * the Kubernetes names zkscale uses.
 *
 * <p>Requests and retries: every request the adapters send themselves (metrics, the write and its diagnosis, Events)
 * is made once, without the client's automatic retries (see {@link Requests#once}). Each request is bounded by the
 * client's request and connection timeouts, so give the client short ones (a few seconds) where a pass must not stall.
 * {@link #close()} stops the informers, the stamping threads and the Event sender; it does not close the client, which
 * the caller owns.
 */
public final class KubeCluster implements AutoCloseable {

    /** The annotation that carries the epoch of the leader that last scaled the workload (a decimal long). */
    public static final String EPOCH_ANNOTATION = "zkscale.dev/leader-epoch";
    /** The {@code kind} of a Deployment target. */
    public static final String DEPLOYMENT = "Deployment";
    /** The {@code kind} of a StatefulSet target. */
    public static final String STATEFUL_SET = "StatefulSet";
    /** How many takeover stamps may be sent per second unless set otherwise. */
    public static final double DEFAULT_STAMPS_PER_SECOND = 200;
    /** The Event {@code source.component} and {@code reportingComponent}. */
    public static final String COMPONENT = "zkscale";

    /** The resource metrics API's PodMetrics. */
    public static final ResourceDefinitionContext POD_METRICS = new ResourceDefinitionContext.Builder()
            .withGroup("metrics.k8s.io")
            .withVersion("v1beta1")
            .withKind("PodMetrics")
            .withPlural("pods")
            .withNamespaced(true)
            .build();

    private final KubeWorkloads workloads;
    private final KubeAutoscalers autoscalers;
    private final KubeMetrics metrics;
    private final KubeScaleWriter writer;
    private final KubeEvents events;

    /**
     * Adapters that have not started yet.
     *
     * @param client the client to use; its configuration (API server, credentials, timeouts) is used as is
     * @param namespaces the namespaces to watch; empty means all namespaces
     */
    public KubeCluster(KubernetesClient client, Set<String> namespaces) {
        this(client, namespaces, Clock.systemUTC(), DEFAULT_STAMPS_PER_SECOND);
    }

    /**
     * As {@link #KubeCluster(KubernetesClient, Set)}, with the clock that stamps Events and how many takeover stamps
     * may be sent per second.
     */
    public KubeCluster(KubernetesClient client, Set<String> namespaces, Clock clock, double stampsPerSecond) {
        KubernetesClient once = Requests.once(client);
        this.workloads = new KubeWorkloads(client, namespaces);
        this.autoscalers = new KubeAutoscalers(client, namespaces);
        this.metrics = new KubeMetrics(once);
        this.writer = new KubeScaleWriter(once, workloads, stampsPerSecond);
        this.events = new KubeEvents(once, workloads, clock, KubeEvents.Limits.DEFAULT);
    }

    /** Starts the caches: {@link KubeWorkloads#start}, then the HorizontalPodAutoscalers'. */
    public void start(Duration timeout) {
        workloads.start(timeout);
        autoscalers.start(timeout);
    }

    /** Stops the caches and the Event sender. The client stays open. Idempotent. */
    @Override
    public void close() {
        events.close();
        autoscalers.close();
        workloads.close();
        writer.close();
    }

    /** Whether every cache is watching: {@link KubeWorkloads#watching}, and the HorizontalPodAutoscalers'. */
    public boolean watching() {
        return workloads.watching() && autoscalers.watching();
    }

    /** The loop's ports: these adapters, with the given others. */
    public ControlLoop.Ports ports(Leadership leadership, TuningSource tuning, Monitor monitor, DecisionLog log) {
        return new ControlLoop.Ports(
                leadership, tuning, workloads, autoscalers, metrics, writer, writer, events, monitor, log);
    }

    public KubeWorkloads workloads() {
        return workloads;
    }

    /** The HorizontalPodAutoscalers' cache, as the loop's port. */
    public Autoscalers autoscalers() {
        return autoscalers;
    }

    public KubeMetrics metrics() {
        return metrics;
    }

    public KubeScaleWriter writer() {
        return writer;
    }

    public KubeEvents events() {
        return events;
    }
}
