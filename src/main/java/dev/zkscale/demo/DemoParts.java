package dev.zkscale.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.app.Controller;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ZooKeeperClients;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/**
 * The embedded parts the story runs on, assembled as {@code zkscale run} and {@code zkscale config set} would meet
 * them: a ZooKeeper server, the target config in its ZNode, the controllers, each with its own link to ZooKeeper.
 * Everything started here, and what the demo hands to {@link #own}, is closed in reverse order by {@link #close}.
 */
final class DemoParts implements AutoCloseable {
    private final SteppedClock clock;
    private final PrintStream out;
    private final boolean verbose;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<DemoInstance> instances = new ArrayList<>();

    DemoParts(SteppedClock clock, PrintStream out, boolean verbose) {
        this.clock = clock;
        this.out = out;
        this.verbose = verbose;
    }

    /** Keeps {@code resource} to close at the end, after what was started after it. */
    <T extends AutoCloseable> T own(T resource) {
        open.add(resource);
        return resource;
    }

    /** The controller instances started so far (the list grows as they start). */
    List<DemoInstance> instances() {
        return instances;
    }

    EmbeddedZooKeeper zooKeeper() throws StartFailure {
        try {
            return own(EmbeddedZooKeeper.start());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure("interrupted while starting ZooKeeper");
        } catch (Exception e) {
            throw new StartFailure("cannot start the embedded ZooKeeper server: " + e);
        }
    }

    /** A ZooKeeper client of the demo's own, once it has written the target config as {@code zkscale config set}. */
    CuratorFramework observer(EmbeddedZooKeeper zookeeper, JsonNode configJson) throws StartFailure {
        CuratorFramework observer =
                ZooKeeperClients.start(zookeeper.connectString(), Duration.ofSeconds(10), Duration.ofSeconds(5));
        own(observer::close);
        try {
            if (!observer.blockUntilConnected(10, TimeUnit.SECONDS)) {
                throw new StartFailure(
                        "the embedded ZooKeeper at " + zookeeper.connectString() + " did not answer within 10 s");
            }
            // As `zkscale config set` writes it.
            new ConfigStore(observer, DemoSettings.ROOT)
                    .set(
                            new Key(Demo.TARGET.namespace(), Demo.TARGET.name()),
                            configJson.toString().getBytes(StandardCharsets.UTF_8),
                            OptionalInt.empty());
            return observer;
        } catch (StartFailure e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure("interrupted while starting");
        } catch (Exception e) {
            throw new StartFailure("cannot write the target config to ZooKeeper: " + e.getMessage());
        }
    }

    /** Starts a controller exactly as {@code zkscale run} assembles it, behind a link to ZooKeeper that can be cut. */
    DemoInstance controller(
            String name,
            EmbeddedZooKeeper zookeeper,
            InProcessApiServer api,
            PrometheusMeterRegistry registry,
            Duration tick)
            throws StartFailure {
        TcpRelay link;
        try {
            link = own(TcpRelay.open(zookeeper.port(), "demo-" + name));
        } catch (IOException e) {
            throw new StartFailure("cannot open a loopback port for controller " + name + ": " + e.getMessage());
        }
        CompositeMeterRegistry tagged = new CompositeMeterRegistry();
        tagged.config().commonTags("controller", name);
        tagged.add(registry);
        Controller controller;
        try {
            controller = Controller.start(
                    DemoSettings.of(link.connectString(), name, tick),
                    api.client(WriteAudit.AGENT_PREFIX + name, 10),
                    tagged,
                    clock);
        } catch (RuntimeException e) {
            throw new StartFailure("controller " + name + " could not start: " + e.getMessage());
        }
        DemoInstance instance = new DemoInstance(name, link, controller);
        own(instance::close);
        instances.add(instance);
        return instance;
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                if (verbose) {
                    out.println("zkscale demo: closing: " + e);
                }
            }
        }
        open.clear();
    }
}
