package dev.zkscale.simulate;

import dev.zkscale.core.TargetConfig;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * {@code --chart}: per config, demand and capacity at target over time, with the spec and Ready replicas below, drawn
 * with JFreeChart to SVG (JFreeSVG) or PNG. A long trace is drawn in buckets of consecutive passes (at most 1,500 a
 * panel), each point the highest value of its bucket, so that peaks stay visible and the picture stays small.
 */
final class Chart {
    private static final int MAX_POINTS = 1500;
    private static final int WIDTH = 1200;
    private static final int PANEL_HEIGHT = 520;
    private static final BasicStroke DASHED =
            new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f);

    private final long bucket;
    private final double capacityPerReadyPod;
    private final double hoursPerUnit;
    private final String unit;
    private final List<Panel> panels = new ArrayList<>();

    /**
     * @param passes the passes of each config
     * @param span the trace's length in seconds
     * @param yardstick the config whose target defines the capacity at target (the first)
     */
    Chart(long passes, double span, TargetConfig yardstick, PodModel model) {
        this.bucket = Math.max(1, (passes + MAX_POINTS - 1) / MAX_POINTS);
        this.capacityPerReadyPod = model.requestMilliCpu() * yardstick.targetCPUUtilizationPercentage() / 100.0 / 1000;
        boolean days = span > 3 * 86_400;
        this.hoursPerUnit = days ? 24 : 1;
        this.unit = days ? "days" : "hours";
    }

    /** The listener that collects the passes of one config, drawn as a panel with {@code title}. */
    Simulation.Listener panel(String title) {
        Panel panel = new Panel(title);
        panels.add(panel);
        return panel::add;
    }

    /** Draws every panel, one above the other, to {@code out} as SVG or PNG. */
    void write(OutputStream out, boolean svg) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int height = PANEL_HEIGHT * panels.size();
        if (svg) {
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, height);
            draw(g);
            out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
        } else {
            BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            draw(g);
            g.dispose();
            ImageIO.write(image, "png", out);
        }
    }

    private void draw(Graphics2D g) {
        for (int i = 0; i < panels.size(); i++) {
            panels.get(i).chart().draw(g, new Rectangle2D.Double(0, i * PANEL_HEIGHT, WIDTH, PANEL_HEIGHT));
        }
    }

    /** One config's series, a point per bucket of passes. */
    private final class Panel {
        private final String title;
        private final XYSeries demand = new XYSeries("demand", false, true);
        private final XYSeries capacity = new XYSeries("capacity at target", false, true);
        private final XYSeries spec = new XYSeries("spec replicas", false, true);
        private final XYSeries ready = new XYSeries("Ready replicas", false, true);
        private double t0 = Double.NaN;
        private double x;
        private double demandMax;
        private int readyMax;
        private int specMax;
        private long count;

        Panel(String title) {
            this.title = title;
        }

        void add(Simulation.Pass pass) {
            if (Double.isNaN(t0)) {
                t0 = pass.t();
            }
            if (count == 0) {
                x = (pass.t() - t0) / 3600 / hoursPerUnit;
            }
            demandMax = Math.max(demandMax, pass.demandMilliCpu() / 1000);
            readyMax = Math.max(readyMax, pass.readyPods());
            specMax = Math.max(specMax, pass.specReplicas());
            count++;
            if (count == bucket) {
                flush();
            }
        }

        private void flush() {
            demand.add(x, demandMax);
            capacity.add(x, readyMax * capacityPerReadyPod);
            spec.add(x, specMax);
            ready.add(x, readyMax);
            demandMax = 0;
            readyMax = 0;
            specMax = 0;
            count = 0;
        }

        JFreeChart chart() {
            if (count > 0) {
                flush();
            }
            NumberAxis time = new NumberAxis("time since the trace's start (" + unit + ")");
            CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
            plot.setGap(12);
            plot.add(subplot("CPU (cores)", new Color(0x1f77b4), new Color(0x2ca02c), demand, capacity), 3);
            XYPlot replicas = subplot("replicas", new Color(0x555555), new Color(0xd62728), spec, ready);
            // The spec dashed over the Ready pods: where they differ, pods are starting.
            replicas.getRenderer().setSeriesStroke(0, DASHED);
            plot.add(replicas, 2);
            JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            chart.setBackgroundPaint(Color.WHITE);
            return chart;
        }

        private XYPlot subplot(String label, Color first, Color second, XYSeries a, XYSeries b) {
            XYSeriesCollection data = new XYSeriesCollection();
            data.addSeries(a);
            data.addSeries(b);
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
            // One path per series, not one element per segment: the SVG stays small.
            renderer.setDrawSeriesLineAsPath(true);
            renderer.setSeriesPaint(0, first);
            renderer.setSeriesPaint(1, second);
            renderer.setSeriesStroke(0, new BasicStroke(1.2f));
            renderer.setSeriesStroke(1, new BasicStroke(1.2f));
            NumberAxis axis = new NumberAxis(label);
            axis.setAutoRangeIncludesZero(true);
            XYPlot plot = new XYPlot(data, null, axis, renderer);
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            return plot;
        }
    }

    /** A panel's title: the config's name and its main fields. */
    static String title(String name, TargetConfig c) {
        return String.format(
                Locale.ROOT,
                "%s: min %d, max %d, target %d%%%s",
                name,
                c.minReplicas(),
                c.maxReplicas(),
                c.targetCPUUtilizationPercentage(),
                c.behavior() == null ? "" : ", with behavior");
    }
}
