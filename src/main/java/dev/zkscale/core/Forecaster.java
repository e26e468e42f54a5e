package dev.zkscale.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Policy.Type#Forecast} policy: forecasts the demand a pass's write must serve and recommends the size that
 * covers its upper bound. Pure: time is the snapshot's, and what it remembers travels in {@link ForecastState}.
 *
 * <p>Demand is observed in pods at the target utilization ({@code utilization × readyPods / target}, the quantity whose
 * ceiling is the HPA's own proposal) and smoothed by a few candidate Holt models (level and trend, the trend per second
 * so an irregular pass still weighs right). A size written now serves once its new pods are Ready and until the next
 * pass can change it; the samples it reads are already {@code metrics lag} old. So the horizon is lag + pod startup +
 * one sync period, each measured where it can be (the lag from the samples' timestamps, the period from the passes).
 * Every forecast is kept until its due time and then checked against what was observed, which gives an online estimate
 * of the error at that horizon, per model. The recommendation is the smallest size whose capacity at the top of the
 * tolerance band (target &times; (1 + scale-up tolerance), where the HPA itself starts to scale up) covers the best
 * model's forecast plus its error at the configured quantile (normal approximation, the error variance being the
 * geometric mean of a long-memory and a recent estimate); never below the HPA's own proposal when that is a scale-up,
 * nor below that proposal for one horizon after it (the {@link ForecastState.Floor}). Until a few forecasts have been
 * checked it recommends what the HPA does.
 */
final class Forecaster {
    /**
     * The candidate models: Holt's linear method with each of these level and trend weights (per pass), a trend weight
     * of 0 being plain exponential smoothing. At each pass the policy follows the model whose forecasts have erred
     * least at the horizon on this target's own history, so a noisy target gets a smooth level without a trend and a
     * target with steady ramps gets a trend. The level weights span memories from about 2 passes (0.6) to about 50
     * (0.02, a quarter of an hour at a 15 s period): a target whose demand is a slow level under minute-to-minute noise
     * is best predicted by a long average, one that moves fast by a short one.
     */
    private static final double[] LEVEL_WEIGHTS = {0.02, 0.05, 0.15, 0.3, 0.6};

    private static final double[] TREND_WEIGHTS = {0, 0.1};

    /** How many candidate models run side by side: one per level and trend weight. */
    static final int MODELS = LEVEL_WEIGHTS.length * TREND_WEIGHTS.length;

    /**
     * The weight of each new error in the error variance: a memory of about 330 checked forecasts (80 minutes at a
     * 15 s sync period). A rare burst is part of a target's error distribution: a shorter memory forgets it within
     * minutes and the bound then undercovers the next one; a longer one would lag the daily cycle.
     */
    private static final double ERROR_WEIGHT = 0.003;

    /**
     * The weight of each new error in the recent error variance: a memory of about 20 checked forecasts (5 minutes at
     * a 15 s period, the HPA's own scale-down window). The bound uses the geometric mean of the two variances: bursts
     * come in clusters, so a burst widens the bound for the next minutes, but only half-way (in proportion) from the
     * long memory's margin; once the target has been calm for a few minutes the bound narrows below the long margin,
     * so a target that idles between bursts goes back towards its minimum as the HPA does.
     */
    private static final double RECENT_WEIGHT = 0.05;

    /** Checked forecasts needed before the policy trusts its error estimate. */
    static final int WARM_UP = 4;

    private static final int MAX_PENDING = 256;
    private static final double FIRST_PERIOD_SECONDS = 15;

    private Forecaster() {}

    /**
     * What the policy concluded at one pass.
     *
     * @param forecastReplicas the demand forecast at the horizon, in pods at the target utilization
     * @param upperReplicas the forecast's upper bound at the policy's quantile, or NaN while warming up
     * @param horizonSeconds how far ahead it looked
     * @param replicas the size it recommends, before rate limits and bounds (the policy has no stabilization window of
     *     its own: its upper bound carries the margin and its floor holds a scale-up for a horizon)
     * @param state what it remembers for the next pass
     */
    record Verdict(
            double forecastReplicas, double upperReplicas, double horizonSeconds, int replicas, ForecastState state) {}

    /**
     * Observes {@code demand} (pods at the target utilization, from samples {@code lagSeconds} old) at {@code now}
     * after {@code prior} (null at first), and recommends a size for a target at {@code current} replicas whose HPA
     * proposal is {@code hpaReplicas}.
     */
    static Verdict decide(
            Policy policy,
            ForecastState prior,
            Instant now,
            double demand,
            double lagSeconds,
            int current,
            int hpaReplicas,
            double scaleUpTolerance) {
        int count = MODELS;
        List<ForecastState.Model> models = new ArrayList<>();
        int checked = 0;
        double period = FIRST_PERIOD_SECONDS;
        List<ForecastState.Pending> pending = new ArrayList<>();
        if (prior == null || !prior.time().isBefore(now) || prior.models().size() != count) {
            for (int i = 0; i < count; i++) {
                models.add(new ForecastState.Model(demand, 0, Double.NaN, Double.NaN));
            }
        } else {
            period = seconds(prior.time(), now);
            double[] variances = new double[count];
            double[] recent = new double[count];
            for (int i = 0; i < count; i++) {
                variances[i] = prior.models().get(i).errorVariance();
                recent[i] = prior.models().get(i).recentVariance();
            }
            checked = prior.checked();
            for (ForecastState.Pending p : prior.pending()) {
                if (p.due().isAfter(now)) {
                    pending.add(p);
                    continue;
                }
                for (int i = 0; i < count; i++) {
                    double miss = demand - p.demands().get(i);
                    double v = variances[i];
                    variances[i] = Double.isNaN(v) ? miss * miss : v + ERROR_WEIGHT * (miss * miss - v);
                    double r = recent[i];
                    recent[i] = Double.isNaN(r) ? miss * miss : r + RECENT_WEIGHT * (miss * miss - r);
                }
                checked = Math.min(checked + 1, WARM_UP);
            }
            for (int i = 0; i < count; i++) {
                ForecastState.Model m = prior.models().get(i);
                double alpha = LEVEL_WEIGHTS[i / TREND_WEIGHTS.length];
                double beta = TREND_WEIGHTS[i % TREND_WEIGHTS.length];
                double predicted = m.level() + m.trend() * period;
                double error = demand - predicted;
                models.add(new ForecastState.Model(
                        predicted + alpha * error, m.trend() + alpha * beta * error / period, variances[i], recent[i]));
            }
        }
        double horizon = lagSeconds + policy.podStartupSeconds() + period;
        List<Double> forecasts = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < count; i++) {
            ForecastState.Model m = models.get(i);
            forecasts.add(Math.max(0, m.level() + m.trend() * horizon));
            if (m.errorVariance() < models.get(best).errorVariance()) {
                best = i;
            }
        }
        Instant due = now.plus(Duration.ofMillis(Math.round(horizon * 1000)));
        if (pending.size() < MAX_PENDING) {
            pending.add(new ForecastState.Pending(due, forecasts));
        }
        ForecastState.Floor floor = prior == null
                        || prior.floor() == null
                        || !now.isBefore(prior.floor().until())
                ? null
                : prior.floor();
        if (hpaReplicas > current) {
            // The metrics already call for a scale-up: a floor the forecast never goes below, held for a horizon, until
            // the pods it adds serve and show in the samples.
            floor = new ForecastState.Floor(Math.max(hpaReplicas, floor == null ? 0 : floor.replicas()), due);
        }
        ForecastState state = new ForecastState(now, models, checked, pending, floor);
        double forecast = forecasts.get(best);
        if (checked < WARM_UP) {
            return new Verdict(forecast, Double.NaN, horizon, hpaReplicas, state);
        }
        ForecastState.Model chosen = models.get(best);
        double upper = forecast
                + probit(policy.quantile()) * Math.sqrt(Math.sqrt(chosen.errorVariance() * chosen.recentVariance()));
        int replicas = (int) Math.ceil(upper / (1 + scaleUpTolerance));
        if (floor != null) {
            replicas = Math.max(replicas, floor.replicas());
        }
        return new Verdict(forecast, upper, horizon, replicas, state);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    /**
     * The standard normal quantile function, by Acklam's rational approximation (relative error below 1.2e-9), for
     * {@code p} in (0, 1).
     */
    static double probit(double p) {
        double[] a = {
            -39.69683028665376,
            220.9460984245205,
            -275.9285104469687,
            138.357751867269,
            -30.66479806614716,
            2.506628277459239
        };
        double[] b = {-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572};
        double[] c = {
            -0.007784894002430293,
            -0.3223964580411365,
            -2.400758277161838,
            -2.549732539343734,
            4.374664141464968,
            2.938163982698783
        };
        double[] d = {0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416};
        double low = 0.02425;
        if (p < low || p > 1 - low) {
            double q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
            double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
            return p < low ? x : -x;
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
                * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
