package dev.zkscale.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic three-day traces of the four shapes issue 16 names, to check the Forecast policy on loads it was not tuned
 * on (docs/policy.md, "Synthetic shapes"). Not shipped: re-generate them with
 *
 * <pre>
 * java -cp target/test-classes dev.zkscale.bench.ShapeTraces DIR SEED...
 * </pre>
 *
 * which writes {@code DIR/web-SEED.csv}, {@code serverless-SEED.csv}, {@code vm-SEED.csv} and
 * {@code enterprise-SEED.csv} ({@code seconds,value}, what {@code simulate --trace} reads) per seed:
 *
 * <ul>
 *   <li>web flash crowds: requests per minute, a diurnal Poisson rate plus six crowds of 3 to 5 times the peak rate,
 *       10 to 40 minutes long, rising within an eighth of their length and fading;
 *   <li>bursty serverless: every 30 s, zero between bursts of 1 to 5 minutes about 40 minutes apart (exponential gaps);
 *   <li>smooth VM aggregate: every 30 s, a diurnal level under slow AR(1) noise;
 *   <li>irregular enterprise plateaus: every minute, levels held 20 minutes to 4 hours, 5% noise.
 * </ul>
 *
 * The same seed gives the same traces (one {@link Random} per seed, drawn in a fixed order).
 */
final class ShapeTraces {
    private static final int DAY = 86_400;
    private static final int SECONDS = 3 * DAY;

    private ShapeTraces() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (int i = 1; i < args.length; i++) {
            long seed = Long.parseLong(args[i]);
            Random random = new Random(seed);
            write(dir.resolve("web-" + seed + ".csv"), web(random));
            write(dir.resolve("serverless-" + seed + ".csv"), serverless(random));
            write(dir.resolve("vm-" + seed + ".csv"), vm(random));
            write(dir.resolve("enterprise-" + seed + ".csv"), enterprise(random));
        }
    }

    private record Row(int second, double value) {}

    /** Between 0.1 and 1: the daily cycle, lowest at night. */
    private static double diurnal(int second) {
        return 0.55 + 0.45 * Math.sin(2 * Math.PI * ((double) second / DAY - 0.3));
    }

    static List<Row> web(Random random) {
        double[][] crowds = new double[6][];
        for (int i = 0; i < crowds.length; i++) {
            crowds[i] =
                    new double[] {uniform(random, 0, SECONDS - 3000), uniform(random, 600, 2400), uniform(random, 3, 5)
                    };
        }
        List<Row> rows = new ArrayList<>();
        for (int s = 0; s < SECONDS; s += 60) {
            double rate = 200 * diurnal(s);
            for (double[] c : crowds) {
                if (c[0] <= s && s < c[0] + c[1]) {
                    double x = (s - c[0]) / c[1];
                    rate += 200 * (c[2] - 1) * Math.min(1, x * 8) * Math.sqrt(1 - x);
                }
            }
            rows.add(new Row(s, poisson(rate, random)));
        }
        return rows;
    }

    static List<Row> serverless(Random random) {
        List<Row> rows = new ArrayList<>();
        double next = exponential(random, 2400);
        double end = -1;
        double level = 0;
        for (int s = 0; s < SECONDS; s += 30) {
            if (s >= next) {
                level = uniform(random, 0.3, 1.0);
                end = s + uniform(random, 60, 300);
                next = end + exponential(random, 2400);
            }
            rows.add(new Row(s, s < end ? level * uniform(random, 0.7, 1.3) : 0));
        }
        return rows;
    }

    static List<Row> vm(Random random) {
        List<Row> rows = new ArrayList<>();
        double noise = 0;
        for (int s = 0; s < SECONDS; s += 30) {
            noise = 0.995 * noise + 0.01 * random.nextGaussian();
            rows.add(new Row(s, Math.max(0, 50 * diurnal(s) * (1 + noise) + 5)));
        }
        return rows;
    }

    static List<Row> enterprise(Random random) {
        List<Row> rows = new ArrayList<>();
        int s = 0;
        while (s < SECONDS) {
            double level = uniform(random, 10, 100);
            double end = s + uniform(random, 1200, 14_400);
            for (; s < end && s < SECONDS; s += 60) {
                rows.add(new Row(s, Math.max(0, level * (1 + 0.05 * random.nextGaussian()))));
            }
        }
        return rows;
    }

    private static double uniform(Random random, double from, double to) {
        return from + (to - from) * random.nextDouble();
    }

    private static double exponential(Random random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    /** A Poisson draw of mean {@code rate}: Knuth's product of uniforms, the normal approximation above 50. */
    private static double poisson(double rate, Random random) {
        if (rate > 50) {
            return Math.max(0, Math.round(rate + Math.sqrt(rate) * random.nextGaussian()));
        }
        double limit = Math.exp(-rate);
        int k = 0;
        for (double p = random.nextDouble(); p > limit; p *= random.nextDouble()) {
            k++;
        }
        return k;
    }

    private static void write(Path file, List<Row> rows) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            out.println("seconds,value");
            for (Row row : rows) {
                out.println(row.second() + "," + Math.round(row.value() * 10_000) / 10_000.0);
            }
        }
    }
}
