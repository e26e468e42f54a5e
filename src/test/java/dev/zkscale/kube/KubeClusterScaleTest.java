package dev.zkscale.kube;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.failure;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.loop.Fence;
import dev.zkscale.loop.ScaleWriter.WriteResult;
import dev.zkscale.loop.ScaleWriter.WriteResult.Result;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fenced scale writes: only the newest leader's writes land, and the API server (here the mock, answering as the real
 * one does) is what refuses a deposed leader's late write.
 */
class KubeClusterScaleTest {

    private static final String NS = "shop";
    private static final String WEB_PATH = "/apis/apps/v1/namespaces/shop/deployments/web";
    private static final Map<String, String> WEB = Map.of("app", "web");

    @RegisterExtension
    final MockApiExtension kube = new MockApiExtension();

    /** One zkscale instance: its own client and caches. */
    private KubeCluster instance() {
        return kube.started(new KubeCluster(kube.api().newClient(), Set.of(NS)));
    }

    private void createWeb(int replicas, Map<String, String> annotations) {
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, "web", replicas, WEB, annotations))
                .create();
    }

    private Deployment web() {
        return kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .get();
    }

    /** The workload once the instance's cache shows the API server's current version of it. */
    private Workload read(KubeCluster cluster, String kind, String name) {
        String rv = (kind.equals("Deployment")
                        ? kube.client()
                                .apps()
                                .deployments()
                                .inNamespace(NS)
                                .withName(name)
                                .get()
                                .getMetadata()
                        : kube.client()
                                .apps()
                                .statefulSets()
                                .inNamespace(NS)
                                .withName(name)
                                .get()
                                .getMetadata())
                .getResourceVersion();
        return await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> cluster.workloads().workload(NS, kind, name),
                        w -> w.isPresent() && w.get().resourceVersion().equals(rv))
                .orElseThrow();
    }

    private List<RecordingDispatcher.Request> writesAndReadsOfWeb(int mark) {
        return kube.api().requests(mark, r -> r.path().startsWith(WEB_PATH) && !r.isWatch());
    }

    /** What the API server holds before a stamp of epoch 5, and what the stamp must leave. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no annotation: the epoch is added                      |      | | SUCCESS | 5",
                "an older epoch: it is replaced                         | 3    | | SUCCESS | 5",
                "our own epoch, stamped since the read: success         | 3    | 5 | SUCCESS | 5",
                "a newer epoch since the read: fenced, left as it is    | 3    | 7 | FENCED  | 7",
                "an older epoch since the read: failure, retry          | 3    | 4 | FAILURE | 4",
            })
    @DisplayName("a takeover stamp sets the epoch annotation only if it is still as read, and never replicas")
    void stamp(String name, String before, String since, Result expected, String after) {
        // Given web at 2 replicas carrying epoch "before" (none when empty), read by the new leader's cache, and
        // changed to carry "since" after that read (not at all when empty)
        createWeb(2, before == null ? Map.of() : Map.of(KubeCluster.EPOCH_ANNOTATION, before));
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        if (since != null) {
            kube.client().apps().deployments().inNamespace(NS).withName("web").edit(d -> {
                d.getMetadata().getAnnotations().put(KubeCluster.EPOCH_ANNOTATION, since);
                return d;
            });
        }

        // When the leader of epoch 5 stamps it
        Fence.Stamp stamp = leader.writer().stamp(List.of(web), 5, () -> true).get(0);

        // Then
        assertEquals(expected, stamp.result(), stamp.detail());
        assertEquals(after, web().getMetadata().getAnnotations().get(KubeCluster.EPOCH_ANNOTATION));
        assertEquals(2, web().getSpec().getReplicas());
        if (expected == Result.SUCCESS) {
            assertEquals(5, stamp.stamped().writtenEpoch(), "the workload to decide with carries the stamp");
            assertEquals(
                    web().getMetadata().getResourceVersion(), stamp.stamped().resourceVersion());
        }
    }

    @Test
    @DisplayName("a stamp is not sent once leadership is lost")
    void stampNotSentWithoutLeadership() {
        createWeb(2, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        int mark = kube.api().mark();

        Fence.Stamp stamp = leader.writer().stamp(List.of(web), 5, () -> false).get(0);

        assertEquals(Result.FAILURE, stamp.result(), stamp.detail());
        assertEquals(List.of(), writesAndReadsOfWeb(mark));
    }

    @Test
    @DisplayName("a write at the current epoch sets replicas and adds the epoch annotation, in one PATCH, on a "
            + "workload with no annotations")
    void successWithoutAnnotations() {
        // Given a Deployment that no zkscale has written yet (no annotations at all)
        createWeb(2, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        int mark = kube.api().mark();

        // When the leader of epoch 3 scales it to 5
        WriteResult result = leader.writer().scale(web, 5, 3);
        List<RecordingDispatcher.Request> sent = writesAndReadsOfWeb(mark);

        // Then it succeeded with exactly one request, a PATCH, and the API server holds the new size and the epoch
        assertEquals(Result.SUCCESS, result.result(), result.detail());
        assertEquals(List.of(new RecordingDispatcher.Request("PATCH", WEB_PATH)), sent);
        assertEquals(5, web().getSpec().getReplicas());
        assertEquals(
                Map.of(KubeCluster.EPOCH_ANNOTATION, "3"), web().getMetadata().getAnnotations());
        // and the cache shows the epoch the next pass will check against
        await().atMost(Duration.ofSeconds(5))
                .until(() -> leader.workloads()
                                .workload(NS, "Deployment", "web")
                                .orElseThrow()
                                .writtenEpoch()
                        == 3);
    }

    @Test
    @DisplayName("a write keeps the workload's other annotations and replaces an older epoch")
    void successKeepsOtherAnnotations() {
        // Given a Deployment last written at epoch 2, with an annotation of its own
        createWeb(2, Map.of("team", "shop", KubeCluster.EPOCH_ANNOTATION, "2"));
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");

        // When the leader of epoch 4 scales it
        WriteResult result = leader.writer().scale(web, 1, 4);

        // Then
        assertEquals(Result.SUCCESS, result.result(), result.detail());
        assertEquals(1, web().getSpec().getReplicas());
        assertEquals(
                Map.of("team", "shop", KubeCluster.EPOCH_ANNOTATION, "4"),
                web().getMetadata().getAnnotations());
    }

    @Test
    @DisplayName("a write whose epoch is older than the workload's annotation is FENCED and sends nothing")
    void olderEpochFencedLocally() {
        // Given a workload written by the leader of epoch 7
        createWeb(3, Map.of(KubeCluster.EPOCH_ANNOTATION, "7"));
        KubeCluster deposed = instance();
        Workload web = read(deposed, "Deployment", "web");
        int mark = kube.api().mark();

        // When an instance that still believes it leads with epoch 5 tries to scale
        WriteResult result = deposed.writer().scale(web, 9, 5);

        // Then it is fenced without a request, and nothing changed
        assertEquals(Result.FENCED, result.result(), result.detail());
        assertEquals(List.of(), kube.api().requests(mark, r -> !r.isWatch()));
        assertEquals(3, web().getSpec().getReplicas());
    }

    @Test
    @DisplayName("a deposed leader's late write (read before the new leader wrote) is refused by the API server and "
            + "counted FENCED")
    void lateWriteOfDeposedLeaderRefusedByServer() {
        // Given instances A (epoch 1) and B (epoch 2) that both read the same version of the workload
        createWeb(3, Map.of(KubeCluster.EPOCH_ANNOTATION, "1"));
        KubeCluster a = instance();
        KubeCluster b = instance();
        Workload seenByA = read(a, "Deployment", "web");
        Workload seenByB = read(b, "Deployment", "web");
        assertEquals(seenByA, seenByB);

        // When B, the new leader, writes first, and A's write (decided on its stale read) arrives afterwards
        WriteResult byB = b.writer().scale(seenByB, 6, 2);
        int mark = kube.api().mark();
        WriteResult byA = a.writer().scale(seenByA, 2, 1);
        List<RecordingDispatcher.Request> sentByA = writesAndReadsOfWeb(mark);

        // Then B's write stands; A's was refused by the server (one PATCH answered 422, one GET to see why) and is
        // FENCED
        assertEquals(Result.SUCCESS, byB.result(), byB.detail());
        assertEquals(Result.FENCED, byA.result(), byA.detail());
        assertEquals(
                List.of(
                        new RecordingDispatcher.Request("PATCH", WEB_PATH),
                        new RecordingDispatcher.Request("GET", WEB_PATH)),
                sentByA);
        assertEquals(6, web().getSpec().getReplicas());
        assertEquals("2", web().getMetadata().getAnnotations().get(KubeCluster.EPOCH_ANNOTATION));
    }

    @Test
    @DisplayName("a conflict caused by an unrelated change (no newer epoch) is FAILURE, and the next pass's fresh "
            + "read succeeds")
    void unrelatedConflictIsFailure() {
        // Given the leader of epoch 3 read the workload, then someone else edited it (a label)
        createWeb(3, Map.of(KubeCluster.EPOCH_ANNOTATION, "3"));
        KubeCluster leader = instance();
        Workload stale = read(leader, "Deployment", "web");
        kube.client().apps().deployments().inNamespace(NS).withName("web").edit(d -> {
            d.getMetadata().getLabels().put("edited-by", "kubectl");
            return d;
        });

        // When the leader writes on its stale read
        WriteResult result = leader.writer().scale(stale, 5, 3);

        // Then the write is refused, but this is not a newer leader: retry on the next pass
        assertEquals(Result.FAILURE, result.result(), result.detail());
        assertTrue(result.detail().startsWith("conflict, retry next pass"), result.detail());
        assertEquals(3, web().getSpec().getReplicas());
        assertEquals("kubectl", web().getMetadata().getLabels().get("edited-by"));

        // And when the next pass reads again, the write lands without undoing the edit
        Workload fresh = read(leader, "Deployment", "web");
        assertEquals(Result.SUCCESS, leader.writer().scale(fresh, 5, 3).result());
        assertEquals(5, web().getSpec().getReplicas());
        assertEquals("kubectl", web().getMetadata().getLabels().get("edited-by"));
    }

    @Test
    @DisplayName("a write refused as invalid (422 on an unchanged object, e.g. by an admission webhook) is FAILURE "
            + "with the server's reason, not a conflict")
    void rejectedWriteIsNotAConflict() {
        // Given an admission policy that refuses the write although nothing changed
        createWeb(3, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        kube.api()
                .server
                .expect()
                .patch()
                .withPath(WEB_PATH)
                .andReturn(422, failure(422, "Invalid", "admission webhook denied the request: replicas above quota"))
                .once();

        // When
        WriteResult result = leader.writer().scale(web, 50, 1);

        // Then the reason reaches the logs and Events
        assertEquals(Result.FAILURE, result.result(), result.detail());
        assertTrue(
                result.detail().contains("rejected") && result.detail().contains("replicas above quota"),
                result.detail());
        assertEquals(3, web().getSpec().getReplicas());
    }

    @Test
    @DisplayName("a workload deleted after it was read is FAILURE \"workload vanished\"")
    void vanished() {
        // Given a workload read, then deleted
        createWeb(3, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        kube.client().apps().deployments().inNamespace(NS).withName("web").delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> web() == null);

        // When / Then
        WriteResult result = leader.writer().scale(web, 5, 1);
        assertEquals(Result.FAILURE, result.result(), result.detail());
        assertTrue(result.detail().startsWith("workload vanished"), result.detail());
    }

    @Test
    @DisplayName("a 503 or 429 on the write is FAILURE naming the status, after exactly one PATCH (no client retries)")
    void serverErrorsAreFailures() {
        createWeb(3, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        for (int code : new int[] {503, 429}) {
            // Given an API server that answers the write with this status
            kube.api()
                    .server
                    .expect()
                    .patch()
                    .withPath(WEB_PATH)
                    .andReturn(code, failure(code, null, "try later"))
                    .once();
            int mark = kube.api().mark();

            // When the leader writes
            WriteResult result = leader.writer().scale(web, 5, 1);
            List<RecordingDispatcher.Request> sent = writesAndReadsOfWeb(mark);

            // Then
            assertEquals(Result.FAILURE, result.result(), result.detail());
            assertTrue(result.detail().contains("HTTP " + code), result.detail());
            assertEquals(List.of(new RecordingDispatcher.Request("PATCH", WEB_PATH)), sent);
            assertEquals(3, web().getSpec().getReplicas());
        }
    }

    @Test
    @DisplayName(
            "an unreachable API server is FAILURE quickly (one attempt within the request timeout), never an exception")
    void unreachableIsFailure() {
        // Given a leader whose API server goes away after the read
        createWeb(3, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        kube.api().server.shutdown();

        // When it writes
        long start = System.nanoTime();
        WriteResult result = leader.writer().scale(web, 5, 1);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then
        assertEquals(Result.FAILURE, result.result(), result.detail());
        assertTrue(took.compareTo(MockApi.REQUEST_TIMEOUT.plusSeconds(1)) < 0, "took " + took + ": " + result.detail());
        assertTrue(result.detail().startsWith("write of Deployment shop/web failed"), result.detail());
    }

    @Test
    @DisplayName("a write the API server does not answer in time is FAILURE within the request timeout, not retried")
    void hungWriteIsFailure() {
        // Given an API server that takes longer than the client's request timeout to answer the write
        createWeb(3, Map.of());
        KubeCluster leader = instance();
        Workload web = read(leader, "Deployment", "web");
        kube.api()
                .server
                .expect()
                .patch()
                .delay(MockApi.REQUEST_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS)
                .withPath(WEB_PATH)
                .andReturn(200, "{}")
                .always();
        int mark = kube.api().mark();

        // When the leader writes
        long start = System.nanoTime();
        WriteResult result = leader.writer().scale(web, 5, 1);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then it gives up after one attempt, within the request timeout (plus scheduling slack)
        assertEquals(Result.FAILURE, result.result(), result.detail());
        assertTrue(took.compareTo(MockApi.REQUEST_TIMEOUT.plusSeconds(2)) < 0, "took " + took + ": " + result.detail());
        assertEquals(List.of(new RecordingDispatcher.Request("PATCH", WEB_PATH)), writesAndReadsOfWeb(mark));
    }

    @Test
    @DisplayName("a StatefulSet is scaled the same way")
    void statefulSet() {
        // Given a StatefulSet
        kube.client()
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .resource(new StatefulSetBuilder()
                        .withNewMetadata()
                        .withNamespace(NS)
                        .withName("db")
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(1)
                        .withNewSelector()
                        .addToMatchLabels("app", "db")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "db")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("db")
                        .withImage("db:1")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        KubeCluster leader = instance();
        Workload db = read(leader, "StatefulSet", "db");

        // When
        WriteResult result = leader.writer().scale(db, 3, 8);

        // Then
        assertEquals(Result.SUCCESS, result.result(), result.detail());
        StatefulSet stored = kube.client()
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName("db")
                .get();
        assertEquals(3, stored.getSpec().getReplicas());
        assertEquals("8", stored.getMetadata().getAnnotations().get(KubeCluster.EPOCH_ANNOTATION));
    }
}
