package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * What the forecast policy remembers of a target between passes: for each candidate smoothing model a level and trend
 * of the demand (in pods at the target utilization) and the online estimate of its forecast error at the horizon, and
 * the forecasts still waiting for the observation they predicted, the floor a recent scale-up of the HPA left, and
 * what calibrates its coverage against the HPA's rule: the coverage itself and the proposals the HPA's rule would have
 * made over its scale-down window. It travels in {@link History#forecast()}, so a decision replays exactly.
 *
 * @param time the time of the last observation
 * @param models one per candidate model, in {@link Forecaster}'s order
 * @param checked how many forecasts have been checked against what came (saturates at the warm-up count)
 * @param pending the forecasts made and not yet due, oldest first
 * @param floor the size the policy does not go below until a time, or null when none holds
 * @param coverage the number of standard errors the upper bound adds to the forecast; NaN until calibrated (then the
 *     policy's quantile sets it)
 * @param hpaProposals what the HPA's rule, deciding alone on the same demand, would have proposed at each pass of its
 *     scale-down window, a pod start and a metrics window more, oldest first
 * @param ledger the account against the HPA's rule (costs, passes over target, trust), or null before the first pass
 */
public record ForecastState(
        Instant time,
        List<Model> models,
        int checked,
        List<Pending> pending,
        Floor floor,
        double coverage,
        List<History.Entry> hpaProposals,
        Ledger ledger) {

    public ForecastState {
        models = List.copyOf(models);
        pending = List.copyOf(pending);
        hpaProposals = List.copyOf(hpaProposals);
    }

    /**
     * One candidate model's state.
     *
     * @param level the smoothed demand, in pods at the target utilization
     * @param trend the smoothed change of demand, in pods per second
     * @param errorVariance the smoothed squared error of its checked forecasts over a long memory, in pods squared; NaN
     *     until one was checked
     * @param recentVariance the same over a memory of a few minutes; NaN until one was checked
     */
    public record Model(double level, double trend, double errorVariance, double recentVariance) {}

    /** The forecasts, one per model, of the demand observed at {@code due}. */
    public record Pending(Instant due, List<Double> demands) {
        public Pending {
            demands = List.copyOf(demands);
        }
    }

    /**
     * The HPA's last scale-up proposal, held as a floor: the demand it was computed from was already observed, and the
     * pods it calls for serve only a horizon later.
     *
     * @param replicas the size not to go below
     * @param until the first time it no longer holds
     */
    public record Floor(int replicas, Instant until) {}

    /**
     * The policy's account against the HPA's rule on the same demand: exponentially weighted means, per pass, of the
     * replicas each side holds and of the passes each is over target, and the trust the policy puts in its forecast.
     *
     * @param cost the policy's mean size, in replicas
     * @param hpaCost the HPA rule's mean size, in replicas
     * @param overTarget the share of the policy's passes over target
     * @param hpaOverTarget the share of the HPA rule's passes over target
     * @param trust 0..1: how much of the policy's size is its forecast's, the rest the HPA rule's
     */
    public record Ledger(double cost, double hpaCost, double overTarget, double hpaOverTarget, double trust) {}
}
