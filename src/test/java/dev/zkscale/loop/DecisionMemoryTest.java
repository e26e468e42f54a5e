package dev.zkscale.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zkscale.core.History;
import dev.zkscale.core.Mode;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the memory loads, saves and reports, against a fake {@link DecisionState} that logs every call in words; saves
 * run on the caller's thread.
 */
class DecisionMemoryTest {
    private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    private static final TargetRef WEB = new TargetRef("shop", "web");
    private static final TargetRef API = new TargetRef("shop", "api");
    private static final TargetConfig CONFIG =
            new TargetConfig("Deployment", "web", 1, 10, 80, null, 0.1, 300, 300, 30, null, Mode.Active, null);

    private final List<String> calls = new ArrayList<>();
    private final List<String> reported = new ArrayList<>();
    private final Map<TargetRef, History> stored = new HashMap<>();
    private DecisionState.Failure failNext;

    private final DecisionState state = new DecisionState() {
        @Override
        public Loaded load(long epoch, Set<TargetRef> targets) throws StateException {
            calls.add("load " + epoch);
            fail();
            return new Loaded(Map.of(WEB, stored.get(WEB)), Map.of(API, "not JSON"), Set.of(WEB, API));
        }

        @Override
        public Set<TargetRef> save(long epoch, Map<TargetRef, History> changed, Set<TargetRef> deleted)
                throws StateException {
            calls.add("save " + epoch + " " + changed.keySet() + " deleting " + deleted);
            fail();
            stored.putAll(changed);
            Set<TargetRef> written = new HashSet<>(changed.keySet());
            written.addAll(deleted);
            return written;
        }

        private void fail() throws StateException {
            DecisionState.Failure failure = failNext;
            failNext = null;
            if (failure != null) {
                throw new StateException(failure, "failed", null);
            }
        }
    };

    /** Counts what the memory reports; every other call of the monitor is none of its business. */
    private final Monitor monitor = (Monitor) Proxy.newProxyInstance(
            Monitor.class.getClassLoader(), new Class<?>[] {Monitor.class}, (proxy, method, args) -> {
                reported.add(method.getName() + " " + List.of(args));
                return null;
            });

    private final DecisionMemory memory = new DecisionMemory(state, monitor, Runnable::run);

    private static History history(int replicas) {
        return new History(List.of(new History.Entry(NOW, replicas)), List.of(), List.of(), null);
    }

    private static Map<TargetRef, DecisionMemory.Kept> kept(TargetRef target, History history) {
        return Map.of(target, new DecisionMemory.Kept(history, CONFIG));
    }

    @Test
    @DisplayName("a term loads what the last saved; missing and unreadable targets start cold and are counted")
    void takeOver() {
        stored.put(WEB, history(3));

        Map<TargetRef, History> loaded = memory.takeOver(2, Set.of(WEB, API, new TargetRef("shop", "new")));

        assertEquals(Map.of(WEB, history(3)), loaded);
        assertEquals(List.of("stateLoadFailed [CORRUPT, 1]", "stateLoadFailed [MISSING, 1]"), reported);
    }

    @Test
    @DisplayName("only what changed is saved; the state of targets gone, or unreadable and not decided, is deleted")
    void savesChanges() {
        stored.put(WEB, history(3));
        memory.takeOver(2, Set.of(WEB, API));
        calls.clear();

        memory.passed(2, NOW, kept(WEB, history(3)));
        memory.passed(2, NOW, kept(WEB, history(4)));
        memory.passed(2, NOW, kept(WEB, history(4)));
        memory.passed(2, NOW, Map.of());

        assertEquals(
                List.of(
                        "save 2 [] deleting [shop/api]",
                        "save 2 [shop/web] deleting []",
                        "save 2 [] deleting [shop/web]"),
                calls);
    }

    @Test
    @DisplayName("a failed save is retried after the next pass; a deposed term saves nothing more; a new term does")
    void failures() {
        stored.put(WEB, history(3));
        memory.takeOver(2, Set.of(WEB));
        memory.passed(2, NOW, kept(API, history(1)));
        calls.clear();
        reported.clear();

        failNext = DecisionState.Failure.UNAVAILABLE;
        memory.passed(2, NOW, kept(API, history(5)));
        memory.passed(2, NOW, kept(API, history(5)));
        failNext = DecisionState.Failure.DEPOSED;
        memory.passed(2, NOW, kept(API, history(6)));
        memory.passed(2, NOW, kept(API, history(7)));
        memory.passed(3, NOW, kept(API, history(7)));
        memory.takeOver(3, Set.of(WEB));
        memory.passed(3, NOW, kept(WEB, history(8)));

        assertEquals(
                List.of(
                        "save 2 [shop/api] deleting []",
                        "save 2 [shop/api] deleting []",
                        "save 2 [shop/api] deleting []",
                        "load 3",
                        "save 3 [shop/web] deleting [shop/api]"),
                calls);
        assertEquals(
                List.of("stateSaveFailed [UNAVAILABLE]", "stateSaveFailed [DEPOSED]", "stateLoadFailed [CORRUPT, 1]"),
                reported);
    }

    @Test
    @DisplayName("a store that cannot be read starts every target cold, counted per target")
    void loadFails() {
        failNext = DecisionState.Failure.UNAVAILABLE;

        assertEquals(Map.of(), memory.takeOver(2, Set.of(WEB, API)));
        assertEquals(List.of("stateLoadFailed [UNAVAILABLE, 2]"), reported);
    }
}
