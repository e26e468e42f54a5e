package dev.zkscale.kube;

import dev.zkscale.core.Pod;
import dev.zkscale.loop.Selector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod informer's cache, indexed by label, holding each pod slimmed to its metadata and converted once per version
 * (see {@link SlimStore}).
 *
 * <p>The label index makes a selector's lookup follow the workload's pods, not the namespace's: without it, every
 * target's pods would scan every pod of its namespace (targets x pods label matches). A selector of
 * {@code matchExpressions} only still scans the namespace.
 */
final class PodCache {
    /** The index by label: one key {@code namespace/key=value} per label of each pod. */
    private static final String LABEL_INDEX = "zkscale.dev/labels";
    /** A label bucket this small is taken at once, without looking for a smaller one among the other labels. */
    private static final int SMALL_BUCKET = 64;

    private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer;
    private final SlimStore<io.fabric8.kubernetes.api.model.Pod, Pod> store =
            new SlimStore<>(PodCache::slim, Conversions::pod);
    /**
     * Selections made, by the label bucket they were made from ({@code namespace/key=value}) and selector: a
     * workload's pods stay the same until a pod of that bucket changes (every pod its selector matches carries that
     * label), which drops the bucket's selections.
     */
    private final Map<String, Map<Selector, List<Pod>>> selections = new ConcurrentHashMap<>();
    /** Counts changes, so that a selection made while one happened is not kept. */
    private final AtomicLong changes = new AtomicLong();

    /**
     * Indexes the informer's cache and gives it the slim store (before it starts). Selections are dropped by the
     * informer's event handler, which runs after the cache and its indexes have changed: a selection made before that
     * is either dropped by it or, if made while it ran, not kept.
     */
    PodCache(SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer) {
        this.informer = informer.itemStore(store);
        informer.addIndexers(Map.of(LABEL_INDEX, PodCache::labelIndexKeys));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {
                changed(pod);
            }

            @Override
            public void onUpdate(io.fabric8.kubernetes.api.model.Pod old, io.fabric8.kubernetes.api.model.Pod pod) {
                changed(old);
                changed(pod);
            }

            @Override
            public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean finalStateUnknown) {
                changed(pod);
            }
        });
    }

    SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer() {
        return informer;
    }

    /**
     * The namespace's pods whose labels match {@code selector} (not empty), converted, sorted by name. A selector with
     * {@code matchLabels} is answered from the selections kept until a pod of its bucket changes.
     */
    List<Pod> select(String namespace, Selector selector) {
        Indexer<io.fabric8.kubernetes.api.model.Pod> indexer = informer.getIndexer();
        String bucket = smallestBucket(indexer, namespace, selector);
        Map<Selector, List<Pod>> kept = bucket == null ? null : selections.get(bucket);
        List<Pod> known = kept == null ? null : kept.get(selector);
        if (known != null) {
            return known;
        }
        long before = changes.get();
        List<Pod> pods = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.Pod p : candidates(indexer, namespace, bucket)) {
            if (selector.matches(p.getMetadata().getLabels())) {
                Pod converted = store.converted(Cache.metaNamespaceKeyFunc(p));
                if (converted != null) {
                    pods.add(converted);
                }
            }
        }
        pods.sort(Comparator.comparing(Pod::name));
        List<Pod> selected = List.copyOf(pods);
        if (bucket != null) {
            selections.computeIfAbsent(bucket, b -> new ConcurrentHashMap<>()).put(selector, selected);
            if (changes.get() != before) {
                selections.remove(bucket);
            }
        }
        return selected;
    }

    /** A version of a pod was stored, replaced or removed: the selections made from its buckets go. */
    private void changed(io.fabric8.kubernetes.api.model.Pod pod) {
        changes.incrementAndGet();
        labelIndexKeys(pod).forEach(selections::remove);
    }

    /**
     * What the cache keeps of a pod: the metadata the keys, the label index and the selectors read (not its uid).
     * Everything the decision reads of the pod's spec and status is in its conversion.
     */
    private static io.fabric8.kubernetes.api.model.Pod slim(io.fabric8.kubernetes.api.model.Pod pod) {
        io.fabric8.kubernetes.api.model.Pod slim = new io.fabric8.kubernetes.api.model.Pod();
        slim.setMetadata(Conversions.identity(pod.getMetadata()));
        slim.setAdditionalProperties(Map.of());
        return slim;
    }

    /** The label index keys of an object: {@code namespace/key=value} for each label. */
    private static List<String> labelIndexKeys(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        String namespace = object.getMetadata().getNamespace();
        List<String> keys = new ArrayList<>(labels.size());
        labels.forEach((key, value) -> keys.add(namespace + "/" + key + "=" + value));
        return keys;
    }

    /**
     * The label bucket ({@code namespace/key=value}) of the fewest pods among the selector's {@code matchLabels}: every
     * pod the selector matches is in it. Null when the selector has no {@code matchLabels}.
     */
    private static String smallestBucket(
            Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, String namespace, Selector selector) {
        String smallest = null;
        int size = Integer.MAX_VALUE;
        for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
            String bucket = namespace + "/" + label.getKey() + "=" + label.getValue();
            int pods = indexer.indexKeys(LABEL_INDEX, bucket).size();
            if (pods < size) {
                smallest = bucket;
                size = pods;
            }
            if (size <= SMALL_BUCKET) {
                break;
            }
        }
        return smallest;
    }

    /** The pods of {@code bucket}, or of the whole namespace when it is null. */
    private static List<io.fabric8.kubernetes.api.model.Pod> candidates(
            Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, String namespace, String bucket) {
        if (bucket == null) {
            return indexer.byIndex(Cache.NAMESPACE_INDEX, namespace);
        }
        List<String> keys = indexer.indexKeys(LABEL_INDEX, bucket);
        List<io.fabric8.kubernetes.api.model.Pod> pods = new ArrayList<>(keys.size());
        for (String key : keys) {
            io.fabric8.kubernetes.api.model.Pod pod = indexer.getByKey(key);
            if (pod != null) {
                pods.add(pod);
            }
        }
        return pods;
    }
}
