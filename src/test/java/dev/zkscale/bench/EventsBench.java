package dev.zkscale.bench;

import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What 10,000 {@code ConfigApplied} Events (a first pass over 10,000 targets) cost the pass, measured, not asserted
 * (not a test; run by hand): the time of 10,000 calls of the loop's Event port, which queue; then, for comparison,
 * the time of synchronous creates against the same mock API server, as each Event was sent before.
 *
 * <pre>
 * ./mvnw -B -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp %classpath \
 *     dev.zkscale.bench.EventsBench"
 * </pre>
 *
 * Options: {@code --events N} (10000), {@code --synchronous N} (1000 synchronous creates timed).
 */
public final class EventsBench {
    private EventsBench() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 1 && args[0].equals("--events") ? Integer.parseInt(args[1]) : 10_000;
        int synchronous = args.length > 3 && args[2].equals("--synchronous") ? Integer.parseInt(args[3]) : 1_000;
        try (MockApi api = MockApi.start()) {
            KubernetesClient client = api.newClient();
            KubeCluster cluster = new KubeCluster(client, Set.of());
            cluster.start(Duration.ofSeconds(30));
            try {
                long start = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    cluster.events()
                            .event("shop", "Deployment", "t-" + i, false, "ConfigApplied", "config version 0 applied");
                }
                long queued = System.nanoTime() - start;
                System.out.printf(
                        "%d Events through the loop's port: %d ms in the pass (%.1f us each); %d dropped (queue"
                                + " full), the rest sent in the background%n",
                        events,
                        TimeUnit.NANOSECONDS.toMillis(queued),
                        queued / 1000.0 / events,
                        cluster.events().dropped());
            } finally {
                cluster.close();
            }
            long start = System.nanoTime();
            for (int i = 0; i < synchronous; i++) {
                client.v1()
                        .events()
                        .inNamespace("shop")
                        .resource(new EventBuilder()
                                .withNewMetadata()
                                .withName("sync-" + i)
                                .endMetadata()
                                .withReason("ConfigApplied")
                                .withMessage("config version 0 applied")
                                .build())
                        .create();
            }
            long sync = System.nanoTime() - start;
            System.out.printf(
                    "%d synchronous creates (as before): %d ms (%.2f ms each; %d Events would hold a pass %.0f s)%n",
                    synchronous,
                    TimeUnit.NANOSECONDS.toMillis(sync),
                    sync / 1e6 / synchronous,
                    events,
                    sync / 1e9 / synchronous * events);
        }
    }
}
