package dev.zkscale.kube;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import dev.zkscale.codec.Rfc3339;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Pod;
import dev.zkscale.loop.Selector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * From fabric8 model objects to the control loop's values. Pure functions of their argument; they never modify the
 * (shared, cached) objects they read.
 */
final class Conversions {

    private static final Logger LOG = Logger.getLogger(Conversions.class);

    private Conversions() {}

    /**
     * Values that many cached objects hold equal copies of (namespaces, label sets, phases, container lists), each
     * kept once while an object holds it: the pods of a workload share their labels and containers.
     */
    private static final Interner<Object> SHARED = Interners.newWeakInterner();

    /** The one copy of {@code value} that cached objects share (an immutable value, or one never modified). */
    @SuppressWarnings("unchecked")
    static <T> T shared(T value) {
        return value == null ? null : (T) SHARED.intern(value);
    }

    /**
     * The metadata that identifies a cached object and that selectors and indexes read: name, namespace,
     * resourceVersion, labels (shared with the objects that have the same) and deletion timestamp. A new object
     * without the empty lists and maps a fabric8 object starts with (the cache never modifies it).
     */
    static ObjectMeta identity(ObjectMeta m) {
        ObjectMeta kept = new ObjectMeta(
                null,
                null,
                null,
                m.getDeletionTimestamp(),
                null,
                null,
                null,
                shared(m.getLabels()),
                null,
                m.getName(),
                shared(m.getNamespace()),
                null,
                m.getResourceVersion(),
                null,
                null);
        kept.setAdditionalProperties(Map.of());
        return kept;
    }

    /**
     * A label selector as the loop matches it; null (no selector) becomes the empty selector, which matches nothing.
     */
    static Selector selector(LabelSelector selector) {
        if (selector == null) {
            return new Selector(Map.of(), List.of());
        }
        Map<String, String> labels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        List<Selector.Requirement> requirements = new ArrayList<>();
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                requirements.add(new Selector.Requirement(
                        r.getKey(), r.getOperator(), r.getValues() == null ? List.of() : r.getValues()));
            }
        }
        return new Selector(labels, requirements);
    }

    /**
     * A quantity in thousandths, rounded up as Kubernetes' {@code Quantity.MilliValue()} does ({@code "1"} is 1000,
     * {@code "100m"} is 100, {@code "1.0001"} is 1001, {@code "123456789n"} is 124).
     *
     * @throws IllegalArgumentException when the text is not a quantity
     */
    static long milli(String quantity) {
        int suffix = quantity.length() - 1;
        while (suffix >= 0 && Character.isLetter(quantity.charAt(suffix))) {
            suffix--;
        }
        long fast = fastMilli(quantity.substring(0, suffix + 1), quantity.substring(suffix + 1));
        if (fast >= 0) {
            return fast;
        }
        try {
            return milli(Quantity.parse(quantity.trim()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid quantity \"" + quantity + "\"", e);
        }
    }

    private static long milli(Quantity quantity) {
        long fast = quantity.getAmount() == null
                ? -1
                : fastMilli(quantity.getAmount(), quantity.getFormat() == null ? "" : quantity.getFormat());
        if (fast >= 0) {
            return fast;
        }
        BigDecimal amount = quantity.getNumericalAmount();
        return amount.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * Millicores of a quantity written as 1 to 15 decimal digits and a suffix of none, {@code m}, {@code u} or
     * {@code n} (rounded up, as {@code MilliValue()}), or -1 for any other form, which the caller converts exactly.
     */
    private static long fastMilli(String digits, String suffix) {
        int n = digits.length();
        if (n == 0 || n > 15) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < n; i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return switch (suffix) {
            case "" -> value * 1000;
            case "m" -> value;
            case "u" -> (value + 999) / 1000;
            case "n" -> (value + 999_999) / 1_000_000;
            default -> -1;
        };
    }

    /** A pod as the decision sees it (containers, then sidecars; ordinary init containers left out). */
    static Pod pod(io.fabric8.kubernetes.api.model.Pod pod) {
        String name = pod.getMetadata().getName();
        PodStatus status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "" : shared(status.getPhase());
        Pod.Readiness ready = Pod.Readiness.NONE;
        Instant readySince = null;
        if (status != null && status.getConditions() != null) {
            for (PodCondition condition : status.getConditions()) {
                if ("Ready".equals(condition.getType())) {
                    ready = readiness(condition.getStatus());
                    readySince = time(condition.getLastTransitionTime(), name, "Ready.lastTransitionTime");
                    break;
                }
            }
        }
        Instant started = status == null ? null : time(status.getStartTime(), name, "status.startTime");
        boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
        List<Pod.Container> containers = new ArrayList<>();
        PodSpec spec = pod.getSpec();
        if (spec != null) {
            if (spec.getContainers() != null) {
                for (Container c : spec.getContainers()) {
                    containers.add(new Pod.Container(c.getName(), cpuRequest(c, name), false));
                }
            }
            if (spec.getInitContainers() != null) {
                for (Container c : spec.getInitContainers()) {
                    if ("Always".equals(c.getRestartPolicy())) {
                        containers.add(new Pod.Container(c.getName(), cpuRequest(c, name), true));
                    }
                }
            }
        }
        return new Pod(name, phase, ready, deleting, started, readySince, shared(List.copyOf(containers)));
    }

    private static Pod.Readiness readiness(String status) {
        if ("True".equals(status)) {
            return Pod.Readiness.TRUE;
        }
        if ("False".equals(status)) {
            return Pod.Readiness.FALSE;
        }
        return Pod.Readiness.UNKNOWN;
    }

    private static Long cpuRequest(Container container, String pod) {
        ResourceRequirements resources = container.getResources();
        if (resources == null || resources.getRequests() == null) {
            return null;
        }
        Quantity cpu = resources.getRequests().get("cpu");
        if (cpu == null) {
            return null;
        }
        try {
            return cpu(milli(cpu), cpu);
        } catch (RuntimeException e) {
            // The API server validates quantities, so this is not expected; treat it as no request (the HPA then
            // refuses).
            LOG.warnf(
                    "pod %s container %s: cpu request \"%s\" taken as none: %s",
                    pod, container.getName(), cpu, e.getMessage());
            return null;
        }
    }

    /**
     * {@code milli} millicores of CPU read from {@code quantity}, held to what a snapshot may hold (0 to a billion
     * cores, as {@code explain} reads it), so that sums cannot overflow.
     *
     * @throws IllegalArgumentException outside that range
     */
    static long cpu(long milli, Object quantity) {
        if (milli < 0 || milli > SnapshotCodec.MAX_MILLI_CPU) {
            throw new IllegalArgumentException(
                    "must be between 0 and " + SnapshotCodec.MAX_MILLI_CPU + " millicores, got \"" + quantity + "\"");
        }
        return milli;
    }

    /**
     * An RFC 3339 time. The form the API server writes ({@code 2026-01-01T00:00:30Z}) is read directly, as
     * {@code DateTimeFormatter} takes microseconds for each and the loop reads several per pod and PodMetrics item;
     * anything else goes through {@link OffsetDateTime#parse}.
     *
     * @throws DateTimeException when the text is not an RFC 3339 time
     */
    static Instant instant(String text) {
        Instant common = Rfc3339.parseCommon(text);
        return common != null ? common : OffsetDateTime.parse(text).toInstant();
    }

    /** An RFC 3339 time, or null when absent or unreadable (logged). */
    static Instant time(String text, String object, String field) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return instant(text);
        } catch (DateTimeException e) {
            LOG.warnf("%s: unreadable %s \"%s\", taken as absent", object, field, text);
            return null;
        }
    }
}
