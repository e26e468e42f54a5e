package dev.zkscale.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * The {@link Policy.Type#Forecast} policy: forecasts the demand a pass's write must serve and recommends the size that
 * covers its upper bound. Pure: time is the snapshot's, and what it remembers travels in {@link ForecastState}.
 *
 * <p>Demand is observed in pods at the target utilization ({@code utilization × servingPods / target}: the formula's
 * utilization over every pod that served when the samples were taken) and smoothed by a few candidate Holt models
 * (level and trend, the trend per second so an irregular pass still weighs right). A size written now serves once its
 * new pods are Ready and until the next pass can change it; the samples it reads are already {@code metrics lag} old.
 * So the horizon is lag + pod startup + one sync period, each measured where it can be (the lag from the samples'
 * timestamps, the period from the passes). Every forecast is kept until its due time and then checked against what was
 * observed, which gives an online estimate of the error at that horizon, per model. The recommendation is the smallest
 * size whose capacity at the top of the tolerance band (target &times; (1 + scale-up tolerance), where the HPA itself
 * starts to scale up) covers the best model's forecast plus a number of its errors (the error variance being the
 * geometric mean of a long-memory and a recent estimate); never below the HPA's own proposal when that is a scale-up,
 * nor below that proposal for one horizon after it (the {@link ForecastState.Floor}). Until a few forecasts have been
 * checked it recommends what the HPA does.
 *
 * <p>The number of errors, the coverage, starts at the configured quantile's (normal approximation) and never exceeds
 * it; below it, the coverage is calibrated online against the HPA's own rule on the same demand: the policy follows
 * what the HPA, deciding alone, would have proposed and held over its scale-down window, counts the passes the HPA
 * would have been over target and the passes it is over target itself, and lowers its coverage while it is over
 * target less than {@link #OVER_TARGET_SHARE} as often as the HPA would be (raising it back, up to the quantile's,
 * when it is over target more). A load on which the quantile already buys far fewer passes over target than the HPA
 * has then costs less; one on which it does not keeps the quantile. The HPA's rule follows the HPA's formula on its
 * own pods: what it proposes from the pods it counts (a pod it added counts once Ready for a metrics window; until then
 * a scale-up counts it idle), what it holds over its window, and when its pods serve.
 *
 * <p>A cost guard keeps a ledger against the same rule and, while the policy loses to it (costs more without being
 * over target less often, or costs far more than the passes over target it avoids are worth), moves the size towards
 * the rule's.
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

    /**
     * The share of the HPA's passes over target the calibrated coverage aims at: about two thirds (a third fewer passes
     * over target than the HPA's, which is what published autoscalers claim against it). The HPA's rule the policy
     * follows treats the pods it adds as the HPA's formula does (not counted until Ready for a metrics window), so its
     * passes over target are the real HPA's within a few percent on every shape measured.
     */
    static final double OVER_TARGET_SHARE = 0.67;

    /**
     * How far one pass moves the coverage, in standard errors: a pass over target raises it by this, a pass the HPA
     * would have been over target lowers it by this times {@link #OVER_TARGET_SHARE}. Passes over target are a few
     * percent of all, so the coverage settles over a few hundred passes (an hour or two at a 15 s period).
     */
    private static final double COVERAGE_STEP = 0.05;

    /**
     * The cost guard: the policy is losing to the HPA's rule on a target when its mean size runs above this times the
     * rule's while it is over target at least as often as the rule. A loss of the bar's own size (2% more replica
     * hours), not a noise-level one.
     */
    static final double COST_SHARE = 1.02;

    /**
     * The cost guard's exchange rate: beyond {@link #COST_SHARE}, the policy is also losing when the share of cost it
     * adds to the rule's is more than this times the share of the rule's passes over target it avoids (3% more cost for
     * 10% fewer passes over target). Far more lenient than the bar's own rate (2% for 30%), so a target where the
     * forecast buys its passes over target at about that rate keeps it; one where it buys them dearly (a third more
     * cost for 40% fewer, as on loads that idle at zero between bursts) decides as the HPA's rule.
     */
    static final double COST_PER_OVER_TARGET = 0.3;

    /**
     * The weight of each pass in the ledger's means (sizes and passes over target, each side): a memory of about
     * 5,000 passes (21 hours at a 15 s period), long enough to hold a day's few hundred passes over target, short
     * enough to follow a target whose load changes character.
     */
    static final double LEDGER_WEIGHT = 0.0002;

    /**
     * How far one pass moves the trust in the forecast: from all forecast to all the HPA rule's size in 100 passes
     * (25 minutes at a 15 s period), and back as fast once the policy no longer loses.
     */
    static final double TRUST_STEP = 0.01;

    /**
     * What a comparison of demands leaves to floating-point rounding: the demand is a utilization in whole percent
     * times pods over the target, so a ratio exactly at the tolerance must not read as just above it.
     */
    private static final double ROUNDING = 1e-9;

    /** Checked forecasts needed before the policy trusts its error estimate. */
    static final int WARM_UP = 4;

    private static final int MAX_PENDING = 256;
    private static final double FIRST_PERIOD_SECONDS = 15;

    private Forecaster() {}

    /**
     * What the policy sees at one pass: the HPA formula's inputs and its proposal.
     *
     * @param now the pass's time
     * @param demand the demand, in pods at the target utilization, that the pods serving carried when the samples were
     *     taken
     * @param lagSeconds how old the newest sample is
     * @param metricsWindowSeconds the window the newest sample covers
     * @param current the target's size
     * @param servingPods the pods that served when the samples were taken
     * @param hpaReplicas the HPA formula's proposal
     * @param hpaWindowSeconds how long the HPA would hold its proposals (its scale-down stabilization window)
     * @param tolerance the scale-up tolerance
     */
    record Observation(
            Instant now,
            double demand,
            double lagSeconds,
            double metricsWindowSeconds,
            int current,
            int servingPods,
            int hpaReplicas,
            int hpaWindowSeconds,
            double tolerance) {}

    /**
     * What the policy concluded at one pass.
     *
     * @param forecastReplicas the demand forecast at the horizon, in pods at the target utilization
     * @param upperReplicas the forecast's upper bound at the policy's coverage, or NaN while warming up
     * @param horizonSeconds how far ahead it looked
     * @param replicas the size it recommends, before rate limits and bounds (the policy has no stabilization window of
     *     its own: its upper bound carries the margin and its floor holds a scale-up for a horizon)
     * @param state what it remembers for the next pass
     */
    record Verdict(
            double forecastReplicas, double upperReplicas, double horizonSeconds, int replicas, ForecastState state) {}

    /**
     * Observes what the pass {@code seen} saw after {@code prior} (null at first), and recommends a size.
     */
    static Verdict decide(Policy policy, ForecastState prior, Observation seen) {
        Instant now = seen.now();
        double demand = seen.demand();
        int current = seen.current();
        int hpaReplicas = seen.hpaReplicas();
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
        double horizon = seen.lagSeconds() + policy.podStartupSeconds() + period;
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
        double most = probit(policy.quantile());
        double coverage =
                prior == null || Double.isNaN(prior.coverage()) ? most : Math.max(0, Math.min(prior.coverage(), most));
        List<History.Entry> proposals = new ArrayList<>(prior == null ? List.of() : prior.hpaProposals());
        Calibration next = calibrate(
                coverage, prior == null ? null : prior.ledger(), most, proposals, seen, policy.podStartupSeconds());
        ForecastState state =
                new ForecastState(now, models, checked, pending, floor, next.coverage(), proposals, next.ledger());
        double forecast = forecasts.get(best);
        if (checked < WARM_UP) {
            return new Verdict(forecast, Double.NaN, horizon, hpaReplicas, state);
        }
        ForecastState.Model chosen = models.get(best);
        double upper = forecast + coverage * Math.sqrt(Math.sqrt(chosen.errorVariance() * chosen.recentVariance()));
        // The trust blends the forecast's size with what the HPA's rule holds: 1 while the policy is not losing to it.
        double trust = next.ledger().trust();
        int replicas = (int) Math.ceil(trust * upper / (1 + seen.tolerance()) + (1 - trust) * next.hpaSize());
        if (floor != null) {
            replicas = Math.max(replicas, floor.replicas());
        }
        return new Verdict(forecast, upper, horizon, replicas, state);
    }

    /**
     * The coverage for the next pass: {@code coverage} moved up by a pass over target at {@code readyPods}, down by a
     * pass the HPA's rule would have been over target, within 0 and {@code most}. Adds the HPA rule's proposal at
     * {@code now} to {@code proposals} and drops those no later pass needs.
     */
    private static Calibration calibrate(
            double coverage,
            ForecastState.Ledger ledger,
            double most,
            List<History.Entry> proposals,
            Observation o,
            int podStartupSeconds) {
        Instant now = o.now();
        double demand = o.demand();
        int current = o.current();
        int hpaWindowSeconds = o.hpaWindowSeconds();
        double tolerance = o.tolerance();
        // The HPA's own pods when the samples were taken: serving (its size then, less what it had added within a pod
        // start), and counted by its formula (Ready for a metrics window more); and its size now.
        Instant seen = now.minus(Duration.ofMillis(Math.round(o.lagSeconds() * 1000)));
        Instant started = seen.minusSeconds(podStartupSeconds);
        int hpaReady = Math.min(
                held(proposals, seen, hpaWindowSeconds, current), held(proposals, started, hpaWindowSeconds, current));
        Instant counted = started.minus(Duration.ofMillis(Math.round(o.metricsWindowSeconds() * 1000)));
        int hpaCounted = Math.min(hpaReady, held(proposals, counted, hpaWindowSeconds, current));
        boolean hpaOver = demand > (1 + tolerance) * hpaReady;
        boolean over = o.servingPods() > 0 && demand > (1 + tolerance) * o.servingPods();
        int hpaSize = held(proposals, now, hpaWindowSeconds, current);
        int proposal = hpaProposal(demand / hpaReady, hpaCounted, hpaSize, tolerance);
        proposals.add(new History.Entry(now, proposal));
        Instant oldest = counted.minusSeconds(hpaWindowSeconds);
        proposals.removeIf(e -> e.time().isBefore(oldest));
        // A ledger read from a hand-edited state that is not a set of finite non-negative means starts afresh.
        ForecastState.Ledger prior = ledger != null
                        && DoubleStream.of(ledger.cost(), ledger.hpaCost(), ledger.overTarget(), ledger.hpaOverTarget())
                                .allMatch(v -> v >= 0 && Double.isFinite(v))
                        && ledger.trust() >= 0
                        && ledger.trust() <= 1
                ? ledger
                : new ForecastState.Ledger(0, 0, 0, 0, 1);
        double cost = decay(prior.cost(), current);
        double hpaCost = decay(prior.hpaCost(), hpaSize);
        double overTarget = decay(prior.overTarget(), over ? 1 : 0);
        double hpaOverTarget = decay(prior.hpaOverTarget(), hpaOver ? 1 : 0);
        // Losing to the HPA's rule on this target: costing more without being over target less often, or costing far
        // more than the passes over target it avoids are worth. Then the trust in the forecast falls, towards deciding
        // as the HPA's rule would; else it rises back.
        boolean losing = cost > COST_SHARE * hpaCost
                && (overTarget >= hpaOverTarget
                        || (cost - hpaCost) * hpaOverTarget
                                > COST_PER_OVER_TARGET * hpaCost * (hpaOverTarget - overTarget));
        double step = (over ? 1 : 0) - (hpaOver ? OVER_TARGET_SHARE : 0);
        double trust = Math.max(0, Math.min(1, prior.trust() + (losing ? -TRUST_STEP : TRUST_STEP)));
        return new Calibration(
                Math.max(0, Math.min(most, coverage + COVERAGE_STEP * step)),
                new ForecastState.Ledger(cost, hpaCost, overTarget, hpaOverTarget, trust),
                held(proposals, now, hpaWindowSeconds, current));
    }

    /**
     * What the HPA's formula proposes for its own pods ({@code ReplicaCalculator}): at a usage ratio {@code ratio} of
     * its serving pods, of which it counts {@code counted}, at {@code size} replicas. No change within the tolerance;
     * else the ratio over the counted pods, rounded up; while some pods are not counted yet (not Ready, or Ready for
     * less than a metrics window), a scale-up counts them idle, which holds the size when that brings the ratio
     * below 1.
     */
    private static int hpaProposal(double ratio, int counted, int size, double tolerance) {
        double usage = counted < size && ratio > 1 ? ratio * counted / size : ratio;
        if (Math.abs(usage - 1) <= tolerance + ROUNDING || (ratio > 1 && usage < 1)) {
            return size;
        }
        return Math.max(1, (int) Math.ceil(ratio * counted - ROUNDING));
    }

    private static double decay(double sum, double value) {
        return sum + LEDGER_WEIGHT * (value - sum);
    }

    /** What {@link #calibrate} concluded: the next coverage and ledger, and the size the HPA's rule holds now. */
    private record Calibration(double coverage, ForecastState.Ledger ledger, int hpaSize) {}

    /**
     * The size the HPA's rule held at {@code at}: the highest of its proposals within the window before it, or
     * {@code otherwise} when it made none.
     */
    private static int held(List<History.Entry> proposals, Instant at, int windowSeconds, int otherwise) {
        Instant from = at.minusSeconds(windowSeconds);
        int size = 0;
        for (History.Entry e : proposals) {
            if (!e.time().isAfter(at) && !e.time().isBefore(from)) {
                size = Math.max(size, e.replicas());
            }
        }
        return size == 0 ? otherwise : size;
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
