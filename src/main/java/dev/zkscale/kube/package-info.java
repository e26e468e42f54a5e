/**
 * The Kubernetes adapters of the control loop, one per port, assembled by {@link dev.zkscale.kube.KubeCluster}:
 * {@link dev.zkscale.kube.KubeWorkloads} (fabric8 informers, reads from caches), {@link dev.zkscale.kube.KubeMetrics}
 * (one PodMetrics request per namespace), {@link dev.zkscale.kube.KubeScaleWriter} (JSON Patch writes tested against
 * what the pass read, carrying the leader's epoch) and {@link dev.zkscale.kube.KubeEvents}.
 */
package dev.zkscale.kube;
