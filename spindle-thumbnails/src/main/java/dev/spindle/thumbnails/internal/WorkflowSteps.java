package dev.spindle.thumbnails.internal;

import dev.spindle.queue.JobOutcome;
import dev.spindle.spi.JsonCodec;
import dev.spindle.thumbnails.ContactSheet;
import dev.spindle.thumbnails.DownloadRequest;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.Thumbnail;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The steps of the thumbnail workflow that the plain thumbnail maker does not have: a download
 * that answers with its resize request, and the contact sheet. Thread-safe: the HTTP client is
 * shared by every download in the JVM.
 */
public final class WorkflowSteps {
  /** Thumbnails are fitted into cells of this many pixels square. */
  static final int CELL = 200;
  private static final int GAP = 8;
  private static final String SHEET = "contact-sheet.jpg";

  private WorkflowSteps() {}

  /** One shared client per JVM, made when the first download runs. */
  private static final class Client {
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * Downloads {@code req}'s image into its incoming folder and returns the request to resize it.
   *
   * @throws ImageProblem with the reason of the last attempt (transient failures retried first)
   */
  public static ResizeRequest download(DownloadRequest req) throws ImageProblem, InterruptedException,
      IOException {
    URI uri;
    try {
      uri = ImageSource.parse(req.url());
    } catch (IllegalArgumentException e) {
      throw new ImageProblem(dev.spindle.thumbnails.FailureReason.INVALID_URL, e.getMessage());
    }
    Path dir = Path.of(req.incomingDir());
    Files.createDirectories(dir);
    Downloader.Settings settings = new Downloader.Settings(Duration.ofMillis(req.timeoutMillis()), req.retry(),
        req.maxBytes(), "spindle-thumbnails-workflow");
    Downloader d = new Downloader(Client.HTTP, dir, settings, Runnable::run, Clock.systemUTC());
    Downloader.Result r = d.download(new ImageSource(0, req.url(), uri, req.fileName(), null));
    ResizeRequest t = req.resize();
    return new ResizeRequest(r.file().toAbsolutePath().toString(), t.outputDir(), t.stem(), t.widths(),
        t.maxPixels(), t.jpegQuality(), t.reducingGap(), t.upscale(), t.sharedCounter());
  }

  /**
   * Draws the contact sheet of the resize outcomes (in image order) into the folder of their
   * thumbnails: the thumbnail closest to {@value #CELL} pixels wide of each image that was made.
   *
   * @throws IOException if no image was made (there is nothing to draw) or the sheet cannot be written
   */
  public static ContactSheet contactSheet(List<JobOutcome> outcomes, JsonCodec json) throws IOException {
    List<Path> shown = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      JobOutcome o = outcomes.get(i);
      String what = "image " + (i + 1);
      if (!o.succeeded() || o.result() == null) {
        missing.add(what + ": " + o.state() + (o.error() == null ? "" : ": " + o.error().message()));
        continue;
      }
      ResizeResult r = json.convert(o.result(), ResizeResult.class, "a resize result");
      if (!r.succeeded() || r.thumbnails().isEmpty()) {
        missing.add(what + " (" + Path.of(r.source()).getFileName() + "): " + r.failureReason() + ": "
            + r.failureMessage());
        continue;
      }
      Thumbnail best = r.thumbnails().stream()
          .min(Comparator.comparingInt(t -> Math.abs(t.width() - CELL))).orElseThrow();
      shown.add(Path.of(best.path()));
      names.add(Path.of(best.path()).getFileName().toString());
    }
    if (shown.isEmpty()) {
      throw new IOException("no thumbnail was made, so there is no contact sheet to draw: "
          + String.join("; ", missing));
    }
    int cols = (int) Math.ceil(Math.sqrt(shown.size()));
    int rows = (shown.size() + cols - 1) / cols;
    int width = cols * CELL + (cols + 1) * GAP;
    int height = rows * CELL + (rows + 1) * GAP;
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      for (int i = 0; i < shown.size(); i++) {
        BufferedImage img = ImageIO.read(shown.get(i).toFile());
        if (img == null) {
          throw new IOException("cannot read the thumbnail " + shown.get(i));
        }
        double scale = Math.min(1.0, Math.min((double) CELL / img.getWidth(), (double) CELL / img.getHeight()));
        int w = Math.max(1, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(img.getHeight() * scale));
        int x = GAP + (i % cols) * (CELL + GAP) + (CELL - w) / 2;
        int y = GAP + (i / cols) * (CELL + GAP) + (CELL - h) / 2;
        g.drawImage(img, x, y, w, h, null);
      }
    } finally {
      g.dispose();
    }
    Path target = shown.get(0).toAbsolutePath().resolveSibling(SHEET);
    long bytes = AtomicFiles.write(target, out -> writeJpeg(sheet, out));
    return new ContactSheet(target.toString(), width, height, bytes, names, missing);
  }

  private static void writeJpeg(BufferedImage image, java.io.OutputStream out) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.85f);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }
}
