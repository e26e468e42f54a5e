/**
 * The Kubernetes adapter of the control loop: {@link dev.zkscale.kube.KubeCluster} implements
 * {@link dev.zkscale.loop.Cluster} with fabric8 informers (reads from caches), one PodMetrics request per namespace,
 * resourceVersion-tested JSON Patch writes that carry the leader's epoch, and Events.
 */
package dev.zkscale.kube;
