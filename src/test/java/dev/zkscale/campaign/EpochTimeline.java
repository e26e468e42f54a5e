package dev.zkscale.campaign;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * ZooKeeper's epoch counter ({@code <root>/epoch}) over time, as seen from outside: every value it took with the
 * server's {@code mtime} of the change (wall-clock milliseconds; the campaign runs every process on one machine, so
 * that clock is the API server's too). Judged after the fact, so a watch that fires late loses nothing; a value
 * overwritten before the watch fired is missed, which can only hide a stale write, never invent one.
 */
final class EpochTimeline implements AutoCloseable {
    /** One value of the counter and when ZooKeeper committed it. */
    record Taken(long epoch, long mtime) {}

    private final CuratorCache cache;
    private final List<Taken> taken = new ArrayList<>();

    EpochTimeline(CuratorFramework client, String root) {
        this.cache = CuratorCache.build(client, root + "/epoch", CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable()
                .addListener(CuratorCacheListener.builder()
                        .forCreatesAndChanges((before, after) -> record(after))
                        .build());
        cache.start();
    }

    private void record(ChildData data) {
        try {
            long epoch = Long.parseLong(new String(data.getData(), StandardCharsets.UTF_8).trim());
            synchronized (taken) {
                taken.add(new Taken(epoch, data.getStat().getMtime()));
            }
        } catch (NumberFormatException e) {
            // not a counter the campaign can read: nothing to compare with
        }
    }

    /** The newest epoch committed strictly before {@code millis}; 0 when none. */
    long newestBefore(long millis) {
        synchronized (taken) {
            return taken.stream()
                    .filter(t -> t.mtime() < millis)
                    .mapToLong(Taken::epoch)
                    .max()
                    .orElse(0);
        }
    }

    /** The newest epoch seen so far; 0 when none. */
    long newest() {
        return newestBefore(Long.MAX_VALUE);
    }

    @Override
    public void close() {
        cache.close();
    }
}
