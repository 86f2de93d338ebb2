package dev.ledger.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import javax.imageio.ImageIO;

/**
 * chart.png: for each scenario, transfers per second (linear) and p99 latency (log scale) second by
 * second, one line per system, seconds counted from the start of the measured window (the shaded
 * part before 0 is the warm-up). Drawn with java.awt, headless.
 */
final class BenchChart {
    private static final int PANEL_W = 760;
    private static final int PANEL_H = 360;
    private static final int MARGIN_L = 80;
    private static final int MARGIN_R = 20;
    private static final int MARGIN_T = 40;
    private static final int MARGIN_B = 50;
    private static final int LEGEND_H = 40;
    private static final Map<String, Color> COLORS = Map.of(
            "kafka-limit", new Color(0x2b, 0x83, 0xba),
            "postgres-as-deployed", new Color(0xd7, 0x19, 0x1c),
            "postgres-matched", new Color(0xfd, 0xae, 0x61),
            "ledger", new Color(0x1a, 0x96, 0x41),
            "ledger-1-partition", new Color(0x7b, 0x32, 0x94));

    private BenchChart() {
    }

    static void write(BenchResults results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int rows = Math.max(1, results.scenarios().size());
        var image = new BufferedImage(2 * PANEL_W, rows * PANEL_H + LEGEND_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            for (int r = 0; r < results.scenarios().size(); r++) {
                BenchResults.ScenarioResult s = results.scenarios().get(r);
                panel(g, 0, r * PANEL_H, s, "transfers/s", p -> (double) p.transfers(), false,
                        results.settings().warmupSeconds(), measured(s));
                panel(g, PANEL_W, r * PANEL_H, s, "p99 latency ms (log)", BenchResults.Point::p99Ms, true,
                        results.settings().warmupSeconds(), measured(s));
            }
            legend(g, rows * PANEL_H, results);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static int measured(BenchResults.ScenarioResult s) {
        return (int) Math.round(s.systems().stream().mapToDouble(BenchResults.SystemResult::measuredSeconds).max().orElse(1));
    }

    private static void panel(Graphics2D g, int x0, int y0, BenchResults.ScenarioResult s, String what,
                              Function<BenchResults.Point, Double> value, boolean log, int warmup, int measure) {
        int left = x0 + MARGIN_L;
        int top = y0 + MARGIN_T;
        int width = PANEL_W - MARGIN_L - MARGIN_R;
        int height = PANEL_H - MARGIN_T - MARGIN_B;
        double tMin = -warmup;
        double tMax = measure + 1;
        double vMin = log ? Double.MAX_VALUE : 0;
        double vMax = 0;
        for (BenchResults.SystemResult r : s.systems()) {
            for (BenchResults.Point p : r.timeline()) {
                tMax = Math.max(tMax, p.t() + 1);
                Double v = value.apply(p);
                if (v == null || (log && v <= 0)) continue;
                vMax = Math.max(vMax, v);
                if (log) vMin = Math.min(vMin, v);
            }
        }
        if (vMax <= 0) vMax = 1;
        if (log) {
            vMin = Math.pow(10, Math.floor(Math.log10(vMin == Double.MAX_VALUE ? 1 : vMin)));
            vMax = Math.pow(10, Math.ceil(Math.log10(vMax)));
            if (vMax <= vMin) vMax = vMin * 10;
        } else {
            vMax = niceCeiling(vMax * 1.05);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        String load = s.scenario().equals(Scenario.OPEN_LOOP.key()) ? "constant rate, <= " + s.clients() + " in flight"
                : s.clients() + " clients x " + s.transfersPerRequest();
        g.drawString(s.scenario() + " (" + load + "): " + what, left, y0 + 24);
        // warm-up shade
        g.setColor(new Color(0xee, 0xee, 0xee));
        int warmEnd = xOf(0, tMin, tMax, left, width);
        g.fillRect(left, top, Math.max(0, warmEnd - left), height);
        // axes and grid
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.GRAY);
        g.drawRect(left, top, width, height);
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = vMin; v <= vMax * 1.001; v *= 10) ticks.add(v);
        } else {
            for (int i = 0; i <= 5; i++) ticks.add(vMax * i / 5);
        }
        for (double v : ticks) {
            int y = yOf(v, vMin, vMax, log, top, height);
            g.setColor(new Color(0xdd, 0xdd, 0xdd));
            g.drawLine(left, y, left + width, y);
            g.setColor(Color.DARK_GRAY);
            String label = label(v);
            g.drawString(label, left - 6 - fm.stringWidth(label), y + fm.getAscent() / 2);
        }
        int step = (int) Math.max(1, niceCeiling((tMax - tMin) / 10));
        for (int t = (int) Math.ceil(tMin / step) * step; t <= tMax; t += step) {
            int x = xOf(t, tMin, tMax, left, width);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(x, top + height, x, top + height + 4);
            String label = Integer.toString(t);
            g.drawString(label, x - fm.stringWidth(label) / 2, top + height + 6 + fm.getAscent());
        }
        g.drawString("seconds (0 = start of the measured window; shaded: warm-up; dashed: its end)", left + width / 2 - 200,
                top + height + 36);
        int end = xOf(measure, tMin, tMax, left, width);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        g.drawLine(end, top, end, top + height);
        g.setStroke(new BasicStroke(1f));
        // lines
        g.setStroke(new BasicStroke(2f));
        for (BenchResults.SystemResult r : s.systems()) {
            g.setColor(COLORS.getOrDefault(r.system(), Color.BLACK));
            int px = -1;
            int py = -1;
            for (BenchResults.Point p : r.timeline()) {
                Double v = value.apply(p);
                if (v == null || (log && v <= 0)) {
                    px = -1;
                    continue;
                }
                int x = xOf(p.t() + 0.5, tMin, tMax, left, width);
                int y = yOf(v, vMin, vMax, log, top, height);
                if (px >= 0) g.drawLine(px, py, x, y);
                else g.fillOval(x - 2, y - 2, 4, 4);
                px = x;
                py = y;
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void legend(Graphics2D g, int y, BenchResults results) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = MARGIN_L;
        var seen = new java.util.LinkedHashMap<String, String>();
        results.scenarios().forEach(s -> s.systems().forEach(r -> seen.putIfAbsent(r.system(), r.label())));
        for (var e : seen.entrySet()) {
            g.setColor(COLORS.getOrDefault(e.getKey(), Color.BLACK));
            g.fillRect(x, y + 14, 24, 6);
            g.setColor(Color.BLACK);
            g.drawString(e.getValue(), x + 30, y + 22);
            x += 40 + g.getFontMetrics().stringWidth(e.getValue());
        }
    }

    private static int xOf(double t, double tMin, double tMax, int left, int width) {
        return left + (int) Math.round((t - tMin) / (tMax - tMin) * width);
    }

    private static int yOf(double v, double vMin, double vMax, boolean log, int top, int height) {
        double f = log ? (Math.log10(v) - Math.log10(vMin)) / (Math.log10(vMax) - Math.log10(vMin)) : (v - vMin) / (vMax - vMin);
        f = Math.max(0, Math.min(1, f));
        return top + height - (int) Math.round(f * height);
    }

    private static double niceCeiling(double v) {
        if (v <= 0) return 1;
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= v) return m * magnitude;
        }
        return 10 * magnitude;
    }

    private static String label(double v) {
        if (v >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (v >= 1) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.2g", v);
    }
}
