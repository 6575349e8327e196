package dev.spindle.bench;

import dev.spindle.thumbnails.ResizePool;
import dev.spindle.thumbnails.SampleImages;
import dev.spindle.thumbnails.Thumbnail;
import dev.spindle.thumbnails.ThumbnailMaker;
import dev.spindle.thumbnails.ThumbnailReport;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws the contact sheet of docs/THUMBNAILS.md: real 200/64/32-pixel thumbnails of the sample
 * photos as the thumbnail maker writes them, and a comparison of one photo shrunk to 200 pixels by
 * point sampling (what ImageIO source subsampling does), by Java2D bilinear drawing, and by the
 * maker's Lanczos-3, each crop enlarged 3× so aliasing and moiré are visible.
 *
 * <pre>java -cp ... dev.spindle.bench.ThumbnailContactSheet docs/images/thumbnails-contact-sheet.png</pre>
 */
public final class ThumbnailContactSheet {
  private ThumbnailContactSheet() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/images/thumbnails-contact-sheet.png");
    int count = 12;
    List<Path> photos = SampleImages.ensure(SampleImages.defaultCacheDir(), count, SampleImages.WIDTH, SampleImages.HEIGHT);
    Path home = Files.createTempDirectory("contact-sheet");
    Files.createDirectories(home.resolve("incoming"));
    for (Path p : photos) {
      Files.copy(p, home.resolve("incoming").resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    ThumbnailReport report;
    try (ThumbnailMaker maker = ThumbnailMaker.builder().homeDir(home).resizePool(ResizePool.threads(2)).create()) {
      report = maker.performResizing();
    }
    if (!report.failures().isEmpty()) {
      throw new IllegalStateException("resizing failed: " + report.failures());
    }

    int cols = 6;
    int cellW = 216;
    int cellH = 150;
    int width = cols * cellW + 24;
    BufferedImage compareSrc = ImageIO.read(photos.get(0).toFile());
    int cropW = 110;
    int cropH = 70;
    int zoom = 3;
    int height = 50 + 2 * cellH + 20 + 14 + cropH * zoom + 30;
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(new Color(0xF4F4F2));
    g.fillRect(0, 0, width, height);
    g.setColor(new Color(0x222222));
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    g.drawString("spindle thumbnails: 3264x1836 sample photos -> 200 / 64 / 32 px (Lanczos-3, box pre-reduction gap 3)", 12, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int i = 0;
    for (var img : report.images()) {
      List<Thumbnail> t = img.thumbnails();
      int x = 12 + (i % cols) * cellW;
      int y = 50 + (i / cols) * cellH;
      BufferedImage big = ImageIO.read(Path.of(t.get(0).path()).toFile());
      BufferedImage mid = ImageIO.read(Path.of(t.get(1).path()).toFile());
      BufferedImage small = ImageIO.read(Path.of(t.get(2).path()).toFile());
      g.drawImage(big, x, y, null);
      g.drawImage(mid, x, y + big.getHeight() + 4, null);
      g.drawImage(small, x + mid.getWidth() + 4, y + big.getHeight() + 4, null);
      g.setColor(new Color(0x444444));
      g.drawString(img.fileName(), x + mid.getWidth() + small.getWidth() + 10, y + big.getHeight() + 16);
      i++;
    }
    int y0 = 50 + 2 * cellH + 20;
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.setColor(new Color(0x222222));
    g.drawString("Fine detail of " + photos.get(0).getFileName() + " shrunk to 200 px wide, crops enlarged " + zoom
        + "x: aliasing and moire show up as false patterns", 12, y0);
    BufferedImage[] versions = {
        pointSample(compareSrc, 200),
        java2dBilinear(compareSrc, 200),
        ImageIO.read(Path.of(report.images().get(0).thumbnails().get(0).path()).toFile())};
    String[] labels = {"point sampling (ImageIO subsampling)", "Java2D bilinear drawImage", "spindle (Lanczos-3)"};
    // The crop holds the zone plate and fabric patches at the bottom left of the photo.
    int cx = 0;
    int cy = versions[2].getHeight() - cropH;
    for (int v = 0; v < versions.length; v++) {
      int x = 12 + v * (cropW * zoom + 24);
      BufferedImage crop = versions[v].getSubimage(cx, cy, cropW, cropH);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(crop, x, y0 + 14, cropW * zoom, cropH * zoom, null);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString(labels[v], x, y0 + 14 + cropH * zoom + 18);
    }
    g.dispose();
    Files.createDirectories(out.toAbsolutePath().getParent());
    ImageIO.write(sheet, "png", out.toFile());
    System.out.println("wrote " + out);
  }

  private static BufferedImage pointSample(BufferedImage src, int w) {
    int h = (int) Math.round((double) src.getHeight() * w / src.getWidth());
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out.setRGB(x, y, src.getRGB(x * src.getWidth() / w, y * src.getHeight() / h));
      }
    }
    return out;
  }

  private static BufferedImage java2dBilinear(BufferedImage src, int w) {
    int h = (int) Math.round((double) src.getHeight() * w / src.getWidth());
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }
}
