package dev.zkscale.kube;

import static dev.zkscale.kube.KubeCluster.COMPONENT;

import com.google.common.util.concurrent.RateLimiter;
import dev.zkscale.loop.EventSink;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The loop's {@link EventSink}: {@code core/v1} Events, sent by a background thread so that a pass never waits on
 * one, in the spirit of client-go's {@code EventBroadcaster} and {@code EventCorrelator}.
 *
 * <ul>
 * <li>Queued: {@link #event} only puts the Event in a bounded queue and returns. One sender thread sends them, at most
 * {@link Limits#perSecond()} requests a second (Guava's {@link RateLimiter}: after a quiet spell, up to one second's
 * worth at once).</li>
 * <li>De-duplicated per workload and reason: while an Event of a workload and reason waits in the queue, another one
 * of the same workload and reason takes its place (the latest message wins; the same message counts one more) instead
 * of taking a second place in the queue. An Event identical to the last one sent for its workload and reason (type
 * and message too) within {@link Limits#window()} is not created again: the sender updates that Event's
 * {@code count} and {@code lastTimestamp} with one JSON merge patch, as {@code kubectl describe} shows client-go's
 * repeated Events ("x3 over 2m").</li>
 * <li>Bounded: when the queue is full, a new Event is dropped and counted ({@link #dropped()}); the log says so for
 * the first drop and every thousandth.</li>
 * </ul>
 *
 * <p>Threads: {@link #event} may be called from any thread. Requests are made once (see {@link Requests#once}); a
 * failed one is logged, never retried. {@link #close()} stops the sender; Events still queued are lost.
 */
public final class KubeEvents implements EventSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubeEvents.class);
    private static final int MAX_NAME = 253;
    private static final int MAX_MESSAGE = 1024;
    private static final Duration PACE_STEP = Duration.ofMillis(200);

    /**
     * How Events are queued and paced.
     *
     * @param queueCapacity the workload-and-reason pairs that can wait to be sent; beyond, Events are dropped
     * @param perSecond requests per second the sender makes at most
     * @param window how long a sent Event is updated (its count raised) rather than created again
     * @param slots how many workload-and-reason pairs are remembered for de-duplication (least recently used go)
     */
    public record Limits(int queueCapacity, double perSecond, Duration window, int slots) {
        /** 1,024 queued, 20 requests a second, a 10-minute window (as client-go's), 16,384 pairs remembered. */
        public static final Limits DEFAULT = new Limits(1024, 20, Duration.ofMinutes(10), 16_384);
    }

    private record Key(String namespace, String kind, String name, String reason) {}

    /** One workload and reason: what waits to be sent, and what was last sent. Guarded by {@code slots}. */
    private static final class Slot {
        final Key key;
        boolean queued;
        boolean warning;
        String message;
        int count;
        Instant first;
        Instant last;
        String sentName;
        boolean sentWarning;
        String sentMessage;
        int sentCount;
        Instant sentLast;

        Slot(Key key) {
            this.key = key;
        }

        /** Whether the waiting Event has this type and message. */
        boolean waits(boolean warning, String message) {
            return this.warning == warning && message.equals(this.message);
        }

        /** Whether the waiting Event repeats the last one sent within {@code window}. */
        boolean repeatsSent(Duration window) {
            return sentName != null
                    && warning == sentWarning
                    && message.equals(sentMessage)
                    && last.isBefore(sentLast.plus(window));
        }
    }

    /** What the sender does with a slot, copied from it under the lock. */
    private record Send(
            Slot slot, boolean warning, String message, String patchName, int count, Instant first, Instant last) {}

    private final KubernetesClient once;
    private final KubeWorkloads workloads;
    private final Clock clock;
    private final Limits limits;
    private final BlockingQueue<Slot> queue;
    private final Map<Key, Slot> slots;
    private final RateLimiter pace;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closed;

    /**
     * Starts the sender thread (a daemon).
     *
     * @param once the client to send each request with, once (see {@link Requests#once})
     * @param workloads where the involved object's uid is looked up
     * @param clock the clock that stamps the Events
     * @param limits the queue's size, the pace and the de-duplication window
     */
    KubeEvents(KubernetesClient once, KubeWorkloads workloads, Clock clock, Limits limits) {
        this.once = once;
        this.workloads = workloads;
        this.clock = clock;
        this.limits = limits;
        this.queue = new ArrayBlockingQueue<>(limits.queueCapacity());
        this.slots = new LinkedHashMap<>(64, 0.75f, true);
        this.pace = RateLimiter.create(limits.perSecond());
        this.sender = new Thread(this::run, "zkscale-events");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Queues the Event and returns at once (see the class comment). The Event's {@code involvedObject} is
     * {@code apps/v1} {@code kind} {@code name} in {@code namespace}, with the uid from the cache when the object is
     * cached; {@code source.component} is {@value KubeCluster#COMPONENT}; first and last timestamps are when it was
     * queued; a unique name ({@code <name>.<16 hex digits>}). A message longer than 1024 characters is cut.
     */
    @Override
    public void event(String namespace, String kind, String name, boolean warning, String reason, String message) {
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
        String text = message == null ? "" : message;
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE - 3) + "...";
        }
        Key key = new Key(namespace, kind, name, reason);
        synchronized (slots) {
            if (closed) {
                return;
            }
            Slot slot = slots.get(key);
            if (slot != null && slot.queued) {
                if (slot.waits(warning, text)) {
                    slot.count++;
                } else {
                    slot.warning = warning;
                    slot.message = text;
                    slot.count = 1;
                    slot.first = now;
                }
                slot.last = now;
                return;
            }
            if (slot == null) {
                slot = new Slot(key);
            }
            if (!queue.offer(slot)) {
                long n = dropped.incrementAndGet();
                if (n == 1 || n % 1000 == 0) {
                    LOG.warnf(
                            "Event queue full (%d waiting): dropped %s on %s %s/%s; %d dropped so far",
                            limits.queueCapacity(), reason, kind, namespace, name, n);
                }
                return;
            }
            slot.queued = true;
            if (slots.putIfAbsent(key, slot) == null && slots.size() > limits.slots()) {
                forgetOne();
            }
            slot.warning = warning;
            slot.message = text;
            slot.count = 1;
            slot.first = now;
            slot.last = now;
        }
    }

    /** Forgets the least recently used pair that is not queued (at most {@code queueCapacity} are). */
    private void forgetOne() {
        Iterator<Slot> it = slots.values().iterator();
        while (it.hasNext()) {
            if (!it.next().queued) {
                it.remove();
                return;
            }
        }
    }

    /** Events dropped because the queue was full, since start: {@code zkscale_events_dropped_total}. */
    public long dropped() {
        return dropped.get();
    }

    /** Workload-and-reason pairs waiting in the queue now. */
    int queued() {
        return queue.size();
    }

    /** Stops the sender; Events still queued are not sent. Idempotent. */
    @Override
    public void close() {
        synchronized (slots) {
            closed = true;
        }
        sender.interrupt();
        if (!queue.isEmpty()) {
            LOG.infof("%d queued Events not sent: closing", queue.size());
        }
    }

    private void run() {
        while (!closed) {
            Slot slot;
            try {
                slot = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                // Guava's acquire() sleeps uninterruptibly; this waits in steps that close() can interrupt.
                while (!pace.tryAcquire(PACE_STEP)) {
                    Thread.sleep(PACE_STEP.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                send(take(slot));
            } catch (RuntimeException e) {
                LOG.warnf(e, "sending an Event failed unexpectedly");
            }
        }
    }

    /** Empties the slot's waiting Event: an update of the last one sent when it is a repeat, else a new Event. */
    private Send take(Slot slot) {
        synchronized (slots) {
            slot.queued = false;
            return slot.repeatsSent(limits.window())
                    ? new Send(
                            slot,
                            slot.warning,
                            slot.message,
                            slot.sentName,
                            slot.sentCount + slot.count,
                            null,
                            slot.last)
                    : new Send(slot, slot.warning, slot.message, null, slot.count, slot.first, slot.last);
        }
    }

    private void send(Send send) {
        Key key = send.slot().key;
        String name = send.patchName();
        try {
            if (name == null || !patched(key.namespace(), name, send)) {
                name = create(send);
            }
        } catch (RuntimeException e) {
            LOG.warnf(
                    "could not record Event %s (%s) on %s %s/%s: %s",
                    key.reason(),
                    send.warning() ? "Warning" : "Normal",
                    key.kind(),
                    key.namespace(),
                    key.name(),
                    Requests.describe(e));
            return;
        }
        synchronized (slots) {
            Slot slot = send.slot();
            slot.sentName = name;
            slot.sentWarning = send.warning();
            slot.sentMessage = send.message();
            slot.sentCount = send.count();
            slot.sentLast = send.last();
        }
    }

    /** Raises the count of the Event sent before; false when it is gone (Events expire), so a new one is needed. */
    private boolean patched(String namespace, String name, Send send) {
        String patch = "{\"count\":" + send.count() + ",\"lastTimestamp\":\"" + timestamp(send.last()) + "\"}";
        // Bound to a stub (name only), the patch is one PATCH: fabric8 GETs an object by name first.
        Event stub = new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .build();
        try {
            once.v1()
                    .events()
                    .inNamespace(namespace)
                    .resource(stub)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private String create(Send send) {
        Key key = send.slot().key;
        String suffix = String.format(".%016x", ThreadLocalRandom.current().nextLong());
        String base = key.name().length() + suffix.length() > MAX_NAME
                ? key.name().substring(0, MAX_NAME - suffix.length())
                : key.name();
        Instant first = send.first() == null ? send.last() : send.first();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(base + suffix)
                .withNamespace(key.namespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("apps/v1")
                .withKind(key.kind())
                .withName(key.name())
                .withNamespace(key.namespace())
                .withUid(workloads.uid(key.namespace(), key.kind(), key.name()))
                .endInvolvedObject()
                .withType(send.warning() ? "Warning" : "Normal")
                .withReason(key.reason())
                .withMessage(send.message())
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(timestamp(first))
                .withLastTimestamp(timestamp(send.last()))
                .withCount(send.count())
                .build();
        once.v1().events().inNamespace(key.namespace()).resource(event).create();
        return base + suffix;
    }

    private static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
