package dev.zkscale.kube;

import static dev.zkscale.kube.KubeCluster.DEPLOYMENT;
import static dev.zkscale.kube.KubeCluster.EPOCH_ANNOTATION;
import static dev.zkscale.kube.KubeCluster.STATEFUL_SET;
import static dev.zkscale.kube.Requests.describe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.common.util.concurrent.RateLimiter;
import dev.zkscale.loop.Fence;
import dev.zkscale.loop.ScaleWriter;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The loop's {@link ScaleWriter} and {@link Fence}: JSON Patches (RFC 6902) built from the {@link Workload} the pass
 * read, with an optimistic-lock precondition as controller-runtime's {@code MergeFromWithOptimisticLock} has.
 *
 * <p>A scale write tests {@code metadata.resourceVersion} and the epoch annotation ({@code zkscale.dev/leader-epoch})
 * as read, then replaces {@code spec.replicas} and sets the annotation to the writer's epoch. The test makes the API
 * server refuse the write if anyone changed the object since it was read, so a deposed leader's write cannot land after
 * a newer leader's write or stamp: both changed the object. Nothing is read before the write; after a refusal, one GET
 * tells a newer leader ({@code FENCED}) from an unrelated change ({@code FAILURE}).
 *
 * <p>A stamp tests the epoch annotation as read (its {@code resourceVersion} when it has none) and sets it to the new
 * leader's epoch; stamps go out from a small pool of threads, paced by a Guava {@link RateLimiter}.
 *
 * <p>Each request is sent once (see {@link Requests#once}), bounded by the client's request and connection timeouts.
 * Thread-safe. {@link #close()} stops the stamping threads.
 */
public final class KubeScaleWriter implements ScaleWriter, Fence, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stamps in flight at most; the rate limit is what bounds the load on the API server. */
    private static final int STAMP_THREADS = 16;

    private static final String EPOCH_PATH = "/metadata/annotations/" + pointerToken(EPOCH_ANNOTATION);

    private final KubernetesClient once;
    private final KubeWorkloads workloads;
    private final RateLimiter stampRate;
    private final ExecutorService stampers;

    /**
     * @param once the client to send each request with, once (see {@link Requests#once})
     * @param workloads reads a workload from an object the API server returned
     * @param stampsPerSecond how many stamps may be sent per second
     */
    KubeScaleWriter(KubernetesClient once, KubeWorkloads workloads, double stampsPerSecond) {
        this.once = once;
        this.workloads = workloads;
        this.stampRate = RateLimiter.create(stampsPerSecond);
        AtomicInteger threads = new AtomicInteger();
        this.stampers = Executors.newFixedThreadPool(STAMP_THREADS, r -> {
            Thread thread = new Thread(r, "zkscale-stamp-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Outcomes:
     * <ul>
     * <li>{@code workload.writtenEpoch() > epoch}: {@code FENCED}, and no request is sent.</li>
     * <li>Otherwise one JSON Patch: {@code test /metadata/resourceVersion}, {@code test} of the epoch annotation when
     * the workload had one, {@code replace /spec/replicas}, and the epoch annotation. 2xx: {@code SUCCESS}.</li>
     * <li>409 or 422 (the object changed since it was read): one GET. If it now carries an epoch greater than ours,
     * {@code FENCED} (a newer leader wrote; never retry with this epoch); otherwise {@code FAILURE} (an unrelated
     * change: retry on the next pass with a fresh read). If it did not change at all, the server refused the write for
     * another reason (validation, an admission webhook): {@code FAILURE} with the server's message.</li>
     * <li>404: {@code FAILURE} "workload vanished". 429, 5xx, timeouts, connection errors, an unsupported kind:
     * {@code FAILURE} naming the status or error. A timed-out write may still have been applied. Negative replicas,
     * or an interrupted thread (the term ended, see {@link dev.zkscale.loop.Leadership#whileLeading}): {@code FAILURE}
     * without a request. An interrupt while the request is in flight abandons it ({@code FAILURE}); sent already, it
     * may still land, and is refused if it reaches the API server after a new leader's stamp.</li>
     * </ul>
     */
    @Override
    public WriteResult scale(Workload workload, int replicas, long epoch) {
        if (workload.writtenEpoch() > epoch) {
            return fenced("not written: " + describe(workload) + " carries epoch " + workload.writtenEpoch()
                    + ", newer than ours (" + epoch + ")");
        }
        if (replicas < 0) {
            return failure("not written: " + replicas + " replicas for " + describe(workload));
        }
        if (Thread.currentThread().isInterrupted()) {
            return failure("not written: " + describe(workload) + ", the write was abandoned (leadership lost)");
        }
        Resource<? extends HasMetadata> resource;
        String patch;
        try {
            resource = resource(workload);
            patch = patch(workload, replicas, epoch);
        } catch (RuntimeException e) {
            return failure("not written: " + e.getMessage());
        }
        try {
            resource.patch(PatchContext.of(PatchType.JSON), patch);
            return new WriteResult(
                    WriteResult.Result.SUCCESS,
                    describe(workload) + " scaled from " + workload.specReplicas() + " to " + replicas
                            + " replicas at epoch " + epoch);
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 409 || code == 422) {
                return afterConflict(workload, resource, epoch, e);
            }
            if (code == 404) {
                return failure("workload vanished: " + describe(workload) + " was not found (HTTP 404)");
            }
            return failure("write of " + describe(workload) + " failed: " + describe(e));
        } catch (RuntimeException e) {
            return failure("write of " + describe(workload) + " failed: " + describe(e));
        }
    }

    /** The JSON Patch: the precondition, then the new size and epoch. */
    static String patch(Workload workload, int replicas, long epoch) {
        ArrayNode ops = JSON.createArrayNode();
        testResourceVersion(ops, workload);
        if (workload.epochAnnotation() != null) {
            ops.addObject().put("op", "test").put("path", EPOCH_PATH).put("value", workload.epochAnnotation());
        }
        ops.addObject().put("op", "replace").put("path", "/spec/replicas").put("value", replicas);
        setEpoch(ops, workload, epoch);
        return ops.toString();
    }

    /** The stamp's JSON Patch: the epoch annotation as read (else the resourceVersion) is tested, then set. */
    static String stampPatch(Workload workload, long epoch) {
        ArrayNode ops = JSON.createArrayNode();
        if (workload.epochAnnotation() != null) {
            ops.addObject().put("op", "test").put("path", EPOCH_PATH).put("value", workload.epochAnnotation());
        } else {
            testResourceVersion(ops, workload);
        }
        setEpoch(ops, workload, epoch);
        return ops.toString();
    }

    private static void testResourceVersion(ArrayNode ops, Workload workload) {
        if (workload.resourceVersion() == null || workload.resourceVersion().isEmpty()) {
            throw new IllegalArgumentException(
                    describe(workload) + " has no resourceVersion to condition the write on");
        }
        ops.addObject()
                .put("op", "test")
                .put("path", "/metadata/resourceVersion")
                .put("value", workload.resourceVersion());
    }

    private static void setEpoch(ArrayNode ops, Workload workload, long epoch) {
        if (workload.annotated()) {
            ops.addObject().put("op", "add").put("path", EPOCH_PATH).put("value", Long.toString(epoch));
        } else {
            ops.addObject()
                    .put("op", "add")
                    .put("path", "/metadata/annotations")
                    .putObject("value")
                    .put(EPOCH_ANNOTATION, Long.toString(epoch));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each stamp waits for its permit from the rate limiter, then checks {@code leading}, then sends one JSON Patch.
     * 2xx: {@code SUCCESS} with the object returned. 409 or 422: one GET; the object now carries {@code epoch}
     * ({@code SUCCESS}: an earlier stamp of ours landed, the cache lags), a newer one ({@code FENCED}) or an older one
     * ({@code FAILURE}: it changed since it was read). Anything else: {@code FAILURE}.
     */
    @Override
    public List<Stamp> stamp(List<Workload> targets, long epoch, BooleanSupplier leading) {
        List<Future<Stamp>> sent = new ArrayList<>(targets.size());
        for (Workload workload : targets) {
            try {
                sent.add(stampers.submit(() -> paced(workload, epoch, leading)));
            } catch (RejectedExecutionException closed) {
                sent.add(CompletableFuture.completedFuture(stampFailure("not stamped: the writer is closed")));
            }
        }
        List<Stamp> stamps = new ArrayList<>(targets.size());
        boolean interrupted = false;
        for (int i = 0; i < sent.size(); i++) {
            if (interrupted) {
                sent.get(i).cancel(true);
                stamps.add(stampFailure("not stamped: abandoned, leadership lost"));
                continue;
            }
            try {
                stamps.add(sent.get(i).get());
            } catch (InterruptedException e) {
                interrupted = true;
                i--;
            } catch (ExecutionException | CancellationException e) {
                stamps.add(stampFailure("stamp of " + describe(targets.get(i)) + " failed: " + e));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return stamps;
    }

    private Stamp paced(Workload workload, long epoch, BooleanSupplier leading) {
        if (workload.writtenEpoch() > epoch) {
            return new Stamp(
                    WriteResult.Result.FENCED,
                    null,
                    "not stamped: " + describe(workload) + " carries epoch " + workload.writtenEpoch()
                            + ", newer than ours (" + epoch + ")");
        }
        stampRate.acquire();
        if (Thread.currentThread().isInterrupted() || !leading.getAsBoolean()) {
            return stampFailure("not stamped: leadership lost");
        }
        Resource<? extends HasMetadata> resource;
        try {
            resource = resource(workload);
            HasMetadata stamped = resource.patch(PatchContext.of(PatchType.JSON), stampPatch(workload, epoch));
            return new Stamp(
                    WriteResult.Result.SUCCESS,
                    workloads.workload(stamped),
                    describe(workload) + " stamped with epoch " + epoch);
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 409 || code == 422) {
                return stampAfterConflict(workload, epoch, e);
            }
            return stampFailure("stamp of " + describe(workload) + " failed: " + describe(e));
        } catch (RuntimeException e) {
            return stampFailure("stamp of " + describe(workload) + " failed: " + describe(e));
        }
    }

    private Stamp stampAfterConflict(Workload workload, long epoch, KubernetesClientException refused) {
        HasMetadata current;
        try {
            current = resource(workload).get();
        } catch (RuntimeException e) {
            return stampFailure("stamp of " + describe(workload) + " refused (" + describe(refused)
                    + "), and re-reading it failed: " + describe(e));
        }
        if (current == null) {
            return stampFailure("workload vanished: " + describe(workload) + " is gone");
        }
        long written = epochOf(current);
        if (written == epoch) {
            return new Stamp(
                    WriteResult.Result.SUCCESS,
                    workloads.workload(current),
                    describe(workload) + " already carries epoch " + epoch);
        }
        if (written > epoch) {
            return new Stamp(
                    WriteResult.Result.FENCED,
                    null,
                    "stamp refused: " + describe(workload) + " carries epoch " + written + ", newer than ours (" + epoch
                            + ")");
        }
        return stampFailure("stamp refused, retry next pass: " + describe(workload) + " changed since it was read ("
                + describe(refused) + ")");
    }

    private static Stamp stampFailure(String detail) {
        return new Stamp(WriteResult.Result.FAILURE, null, detail);
    }

    /** Stops the stamping threads; a stamp in flight is abandoned. Idempotent. */
    @Override
    public void close() {
        stampers.shutdownNow();
    }

    private WriteResult afterConflict(
            Workload workload,
            Resource<? extends HasMetadata> resource,
            long epoch,
            KubernetesClientException refused) {
        HasMetadata current;
        try {
            current = resource.get();
        } catch (RuntimeException e) {
            return failure("conflict, retry next pass: " + describe(workload) + " changed since it was read ("
                    + describe(refused) + "), and re-reading it failed: " + describe(e));
        }
        if (current == null) {
            return failure("workload vanished: " + describe(workload) + " changed since it was read and is now gone");
        }
        if (workload.resourceVersion().equals(current.getMetadata().getResourceVersion())) {
            // Unchanged since the read, so the refusal was not the precondition: validation or admission.
            return failure("write of " + describe(workload) + " rejected: " + describe(refused));
        }
        long written = epochOf(current);
        if (written > epoch) {
            return fenced("refused by the API server: " + describe(workload) + " was written at epoch " + written
                    + ", newer than ours (" + epoch + ")");
        }
        return failure("conflict, retry next pass: " + describe(workload)
                + " changed since it was read (resourceVersion " + workload.resourceVersion() + ", now "
                + current.getMetadata().getResourceVersion() + ")");
    }

    /** The epoch annotation of the object as it is now; 0 when it has none or one that is not a number. */
    private static long epochOf(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(EPOCH_ANNOTATION);
        try {
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** RFC 6901: "~" becomes "~0" and "/" becomes "~1". */
    static String pointerToken(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /**
     * The workload as a fabric8 resource bound to a stub object (namespace and name only). fabric8's
     * {@code patch(PatchContext, String)} GETs the object first unless the operation already holds an item; the stub
     * saves that request. Its {@code get()} still reads the object from the server.
     */
    private Resource<? extends HasMetadata> resource(Workload workload) {
        ObjectMeta meta = new ObjectMetaBuilder()
                .withNamespace(workload.namespace())
                .withName(workload.name())
                .build();
        return switch (workload.kind()) {
            case DEPLOYMENT ->
                once.apps()
                        .deployments()
                        .inNamespace(workload.namespace())
                        .resource(new DeploymentBuilder().withMetadata(meta).build());
            case STATEFUL_SET ->
                once.apps()
                        .statefulSets()
                        .inNamespace(workload.namespace())
                        .resource(new StatefulSetBuilder().withMetadata(meta).build());
            default ->
                throw new IllegalArgumentException("unsupported kind \"" + workload.kind() + "\" (supported: "
                        + DEPLOYMENT + ", " + STATEFUL_SET + ")");
        };
    }

    private static WriteResult fenced(String detail) {
        return new WriteResult(WriteResult.Result.FENCED, detail);
    }

    private static WriteResult failure(String detail) {
        return new WriteResult(WriteResult.Result.FAILURE, detail);
    }
}
