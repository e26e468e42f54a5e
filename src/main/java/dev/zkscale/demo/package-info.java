/**
 * {@code zkscale demo} ({@link dev.zkscale.demo.Demo}): the whole system in one process for a newcomer. Real: an
 * embedded ZooKeeper server ({@link dev.zkscale.demo.EmbeddedZooKeeper}), an HTTP Kubernetes API
 * ({@link dev.zkscale.demo.InProcessApiServer}, the fabric8 CRUD mock with
 * {@link dev.zkscale.demo.ApiServerLikeDispatcher}), two {@link dev.zkscale.app.Controller}s and {@code /q/metrics}.
 * Simulated: the pods and their CPU ({@link dev.zkscale.demo.SimulatedWorkload}) under a load curve or trace
 * ({@link dev.zkscale.demo.LoadProfile}), on a cluster clock that moves one pass at a time
 * ({@link dev.zkscale.demo.SteppedClock}). A crash is a cut {@link dev.zkscale.demo.TcpRelay}; every scale write
 * is checked against ZooKeeper as the API server receives it ({@link dev.zkscale.demo.WriteAudit}).
 */
package dev.zkscale.demo;
