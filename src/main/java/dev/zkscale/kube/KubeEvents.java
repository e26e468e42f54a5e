package dev.zkscale.kube;

import static dev.zkscale.kube.KubeCluster.COMPONENT;

import dev.zkscale.loop.EventSink;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/** The loop's {@link EventSink}: one {@code core/v1} Event per call. Thread-safe. */
public final class KubeEvents implements EventSink {
    private static final Logger LOG = Logger.getLogger(KubeEvents.class);
    private static final int MAX_NAME = 253;
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient once;
    private final KubeWorkloads workloads;
    private final Clock clock;

    /**
     * @param once the client to send each request with, once (see {@link Requests#once})
     * @param workloads where the involved object's uid is looked up
     * @param clock the clock that stamps the Events
     */
    KubeEvents(KubernetesClient once, KubeWorkloads workloads, Clock clock) {
        this.once = once;
        this.workloads = workloads;
        this.clock = clock;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One request, made once. The Event's {@code involvedObject} is {@code apps/v1} {@code kind} {@code name} in
     * {@code namespace}, with the uid from the cache when the object is cached; {@code source.component} is
     * {@value KubeCluster#COMPONENT}; count 1; first and last timestamps now; a unique name
     * ({@code <name>.<16 hex digits>}). A message longer than 1024 characters is cut.
     */
    @Override
    public void event(String namespace, String kind, String name, boolean warning, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
        String suffix = String.format(".%016x", ThreadLocalRandom.current().nextLong());
        String base = name.length() + suffix.length() > MAX_NAME ? name.substring(0, MAX_NAME - suffix.length()) : name;
        String text = message == null ? "" : message;
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE - 3) + "...";
        }
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(base + suffix)
                .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("apps/v1")
                .withKind(kind)
                .withName(name)
                .withNamespace(namespace)
                .withUid(workloads.uid(namespace, kind, name))
                .endInvolvedObject()
                .withType(warning ? "Warning" : "Normal")
                .withReason(reason)
                .withMessage(text)
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            once.v1().events().inNamespace(namespace).resource(event).create();
        } catch (RuntimeException e) {
            LOG.warnf(
                    "could not record Event %s (%s) on %s %s/%s: %s",
                    reason, warning ? "Warning" : "Normal", kind, namespace, name, Requests.describe(e));
        }
    }
}
