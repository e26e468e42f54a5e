package dev.zkscale.kube;

import dev.zkscale.core.Pod;
import dev.zkscale.loop.Selector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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

    /** Indexes the informer's cache and gives it the slim store (before it starts). */
    PodCache(SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer) {
        this.informer = informer.itemStore(store);
        informer.addIndexers(Map.of(LABEL_INDEX, PodCache::labelIndexKeys));
    }

    SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer() {
        return informer;
    }

    /** The namespace's pods whose labels match {@code selector} (not empty), converted, sorted by name. */
    List<Pod> select(String namespace, Selector selector) {
        Indexer<io.fabric8.kubernetes.api.model.Pod> indexer = informer.getIndexer();
        List<Pod> pods = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.Pod p : candidates(indexer, namespace, selector)) {
            if (selector.matches(p.getMetadata().getLabels())) {
                Pod converted = store.converted(Cache.metaNamespaceKeyFunc(p));
                if (converted != null) {
                    pods.add(converted);
                }
            }
        }
        pods.sort(Comparator.comparing(Pod::name));
        return pods;
    }

    /**
     * What the cache keeps of a pod: the metadata the keys, the label index and the selectors read. Everything the
     * decision reads of the pod's spec and status is in its conversion.
     */
    private static io.fabric8.kubernetes.api.model.Pod slim(io.fabric8.kubernetes.api.model.Pod pod) {
        io.fabric8.kubernetes.api.model.Pod slim = new io.fabric8.kubernetes.api.model.Pod();
        slim.setMetadata(Conversions.identity(pod.getMetadata()));
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
     * A superset of the namespace's pods that match {@code selector}: the smallest label bucket among its
     * {@code matchLabels} (every match carries each of those labels), or the whole namespace when it has none.
     */
    private static List<io.fabric8.kubernetes.api.model.Pod> candidates(
            Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, String namespace, Selector selector) {
        if (selector.matchLabels().isEmpty()) {
            return indexer.byIndex(Cache.NAMESPACE_INDEX, namespace);
        }
        List<String> smallest = null;
        for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
            List<String> keys =
                    indexer.indexKeys(LABEL_INDEX, namespace + "/" + label.getKey() + "=" + label.getValue());
            if (smallest == null || keys.size() < smallest.size()) {
                smallest = keys;
            }
            if (smallest.size() <= SMALL_BUCKET) {
                break;
            }
        }
        List<io.fabric8.kubernetes.api.model.Pod> pods = new ArrayList<>(smallest.size());
        for (String key : smallest) {
            io.fabric8.kubernetes.api.model.Pod pod = indexer.getByKey(key);
            if (pod != null) {
                pods.add(pod);
            }
        }
        return pods;
    }
}
