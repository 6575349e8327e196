package dev.spindle.examples.primes;

import dev.spindle.ExecutionModel;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws a {@link PrimeSweep.SweepResult} as a line chart with Java2D (Fluent Python's Figure 19-2):
 * x = workers, y = median seconds, one line per model; {@code SEQUENTIAL} is a dashed horizontal
 * baseline. No dependency beyond the JDK; works headless. Stateless.
 */
public final class SweepChart {
  private static final Map<ExecutionModel, Color> COLORS = Map.of(
      ExecutionModel.SEQUENTIAL, new Color(0x55, 0x55, 0x55),
      ExecutionModel.THREADS, new Color(0x1f, 0x77, 0xb4),
      ExecutionModel.VIRTUAL, new Color(0x2c, 0xa0, 0x2c),
      ExecutionModel.PROCESSES, new Color(0xd6, 0x27, 0x28));
  private static final int WIDTH = 1180;
  private static final int HEIGHT = 600;
  private static final int LEFT = 80;
  /** Room right of the plot for the legend, so it never covers a line. */
  private static final int RIGHT = 270;
  private static final int TOP = 60;
  private static final int BOTTOM = 70;

  private SweepChart() {}

  /** Renders the chart. */
  public static BufferedImage render(PrimeSweep.SweepResult result, String title) {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      draw(g, result, title);
    } finally {
      g.dispose();
    }
    return img;
  }

  /**
   * Renders the chart and writes it as PNG, creating the directory.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void writePng(PrimeSweep.SweepResult result, String title, Path file) {
    BufferedImage img = render(result, title);
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      if (!ImageIO.write(img, "png", file.toFile())) {
        throw new IOException("no PNG writer in this JDK");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void draw(Graphics2D g, PrimeSweep.SweepResult result, String title) {
    int maxWorkers = result.points().stream().mapToInt(PrimeSweep.SweepResult.Point::workers).max().orElse(1);
    maxWorkers = Math.max(maxWorkers, 2);
    double maxY = result.points().stream().mapToDouble(PrimeSweep.SweepResult.Point::median).max().orElse(1);
    double step = niceStep(maxY * 1.1 / 6);
    double top = Math.ceil(maxY * 1.1 / step) * step;
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    int xMax = maxWorkers;
    java.util.function.IntToDoubleFunction px = w -> LEFT + (w - 1) * (double) plotW / (xMax - 1);
    java.util.function.DoubleUnaryOperator py = s -> TOP + plotH - s / top * plotH;

    Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    Font big = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    // Grid and y ticks.
    g.setFont(small);
    for (double y = 0; y <= top + step / 2; y += step) {
      int yy = (int) Math.round(py.applyAsDouble(y));
      g.setColor(new Color(0xe6, 0xe6, 0xe6));
      g.drawLine(LEFT, yy, LEFT + plotW, yy);
      g.setColor(Color.DARK_GRAY);
      text(g, String.format(Locale.ROOT, step < 1 ? "%.2f" : "%.0f", y), LEFT - 8, yy + 4, 1.0);
    }
    // X ticks.
    int xStep = Math.max(1, (int) Math.ceil(xMax / 20.0));
    for (int w = 1; w <= xMax; w += xStep) {
      int xx = (int) Math.round(px.applyAsDouble(w));
      g.setColor(new Color(0xf0, 0xf0, 0xf0));
      g.drawLine(xx, TOP, xx, TOP + plotH);
      g.setColor(Color.DARK_GRAY);
      g.drawLine(xx, TOP + plotH, xx, TOP + plotH + 5);
      text(g, Integer.toString(w), xx, TOP + plotH + 20, 0.5);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotW, plotH);
    text(g, "workers", LEFT + plotW / 2.0, HEIGHT - 22, 0.5);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    text(rotated, "median time (s)", -(TOP + plotH / 2.0), 24, 0.5);
    rotated.dispose();
    g.setFont(big);
    text(g, title, WIDTH / 2.0, 32, 0.5);
    g.setFont(small);

    // Lines.
    int legendY = TOP + 20;
    for (ExecutionModel model : ExecutionModel.values()) {
      List<PrimeSweep.SweepResult.Point> pts = result.pointsOf(model);
      if (pts.isEmpty()) {
        continue;
      }
      Color color = COLORS.getOrDefault(model, Color.BLACK);
      g.setColor(color);
      String label;
      if (model == ExecutionModel.SEQUENTIAL) {
        double y = py.applyAsDouble(pts.get(0).median());
        Stroke saved = g.getStroke();
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
        g.draw(new java.awt.geom.Line2D.Double(LEFT, y, LEFT + plotW, y));
        g.setStroke(saved);
        label = String.format(Locale.ROOT, "sequential (%.2fs)", pts.get(0).median());
      } else {
        Path2D line = new Path2D.Double();
        for (int i = 0; i < pts.size(); i++) {
          double x = px.applyAsDouble(pts.get(i).workers());
          double y = py.applyAsDouble(pts.get(i).median());
          if (i == 0) {
            line.moveTo(x, y);
          } else {
            line.lineTo(x, y);
          }
        }
        Stroke saved = g.getStroke();
        g.setStroke(new BasicStroke(2.5f));
        g.draw(line);
        g.setStroke(saved);
        for (PrimeSweep.SweepResult.Point p : pts) {
          double x = px.applyAsDouble(p.workers());
          double y = py.applyAsDouble(p.median());
          g.fill(new Ellipse2D.Double(x - 4, y - 4, 8, 8));
        }
        PrimeSweep.SweepResult.Point best = pts.stream()
            .min(java.util.Comparator.comparingDouble(PrimeSweep.SweepResult.Point::median)).orElseThrow();
        label = String.format(Locale.ROOT, "%s (best %.2fs @ %d)", model.name().toLowerCase(Locale.ROOT),
            best.median(), best.workers());
      }
      // Legend entry, right of the plot.
      int lx = LEFT + plotW + 20;
      g.setColor(color);
      g.fillRect(lx, legendY - 6, 22, 4);
      g.setColor(Color.BLACK);
      text(g, label, lx + 30, legendY, 0.0);
      legendY += 22;
    }
    g.setColor(Color.GRAY);
    text(g, String.format(Locale.ROOT, "%d numbers (%s dataset), median of %d runs per point; pool start-up included",
        result.numbers(), result.datasetName(), result.runs()), LEFT + plotW / 2.0,
        HEIGHT - 6, 0.5);
  }

  /** Draws text anchored at {@code align} (0 left, 0.5 centre, 1 right); skips it if the JDK has no fonts. */
  private static void text(Graphics2D g, String s, double x, double y, double align) {
    try {
      FontMetrics fm = g.getFontMetrics();
      g.drawString(s, (float) (x - fm.stringWidth(s) * align), (float) y);
    } catch (RuntimeException | Error e) {
      // A headless JDK without any font configuration cannot draw text; the lines still help.
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
    }
  }

  static double niceStep(double raw) {
    if (raw <= 0 || Double.isNaN(raw)) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / mag;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nice * mag;
  }
}
