package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * What the forecast policy remembers of a target between passes: for each candidate smoothing model a level and trend
 * of the demand (in pods at the target utilization) and the online estimate of its forecast error at the horizon, and
 * the forecasts still waiting for the observation they predicted. It travels in {@link History#forecast()}, so a
 * decision replays exactly.
 *
 * @param time the time of the last observation
 * @param models one per candidate model, in {@link Forecaster}'s order
 * @param checked how many forecasts have been checked against what came (saturates at the warm-up count)
 * @param pending the forecasts made and not yet due, oldest first
 */
public record ForecastState(Instant time, List<Model> models, int checked, List<Pending> pending) {

    public ForecastState {
        models = List.copyOf(models);
        pending = List.copyOf(pending);
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
}
