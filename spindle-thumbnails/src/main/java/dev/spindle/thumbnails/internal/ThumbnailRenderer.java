package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.Thumbnail;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns one image file into thumbnails: header and pixel-limit check, decode, then for each target
 * width (largest first) an optional whole-factor box reduction that keeps at least
 * {@code reducingGap} × the target size, a Lanczos-3 pass to the exact size, and an atomic write.
 * Smaller targets reduce from the previous intermediate, so the full-size image is box-filtered
 * once. Stateless and thread-safe.
 */
public final class ThumbnailRenderer {
  private ThumbnailRenderer() {}

  /** Target height for a width, keeping the aspect ratio (rounded, at least 1). */
  public static int targetHeight(int srcW, int srcH, int targetW) {
    return (int) Math.max(1, Math.round((double) srcH * targetW / srcW));
  }

  /** The thumbnail file name {@code <stem>_<width>.<ext>}. */
  public static String thumbnailName(String stem, int width, String ext) {
    return stem + "_" + width + "." + ext;
  }

  /**
   * Renders the request. Image problems come back as a failed result; unexpected errors
   * (programming errors, out of memory) are thrown.
   */
  public static ResizeResult render(ResizeRequest req, String worker) {
    Path source = Path.of(req.source());
    try {
      return renderOrThrow(req, source, worker);
    } catch (ImageProblem p) {
      return ResizeResult.failed(req.source(), p.reason(), p.getMessage(), worker);
    } catch (NoSuchFileException e) {
      return ResizeResult.failed(req.source(), FailureReason.IO_ERROR, "file not found: " + e.getFile(), worker);
    } catch (FileSystemException e) {
      return ResizeResult.failed(req.source(), FailureReason.IO_ERROR, e.getMessage(), worker);
    } catch (IOException e) {
      return ResizeResult.failed(req.source(), FailureReason.IO_ERROR, source.getFileName() + ": " + e, worker);
    }
  }

  private static ResizeResult renderOrThrow(ResizeRequest req, Path source, String worker)
      throws ImageProblem, IOException {
    long t0 = System.nanoTime();
    ImageCodec.Decoded decoded = ImageCodec.decode(source, req.maxPixels());
    long t1 = System.nanoTime();
    ImageCodec.Header header = decoded.header();
    String writeFormat = ImageFormats.writeFormat(header.format());
    String ext = ImageFormats.outputExtension(writeFormat, extensionOf(source.getFileName().toString()));
    Path outDir = Path.of(req.outputDir());
    Files.createDirectories(outDir);

    List<Integer> widths = new ArrayList<>(req.widths());
    widths.sort(Comparator.reverseOrder());
    // Sizes are those of the upright photo; pixels are resampled as stored, then turned upright.
    int orientation = header.orientation();
    boolean swap = Orientation.swapsAxes(orientation);
    int w = header.width();
    int h = header.height();
    int uw = swap ? h : w;
    int uh = swap ? w : h;
    Pixels current = decoded.pixels();
    int factor = 1; // current = original reduced by this whole factor
    long resizeNanos = 0;
    long encodeNanos = 0;
    List<Thumbnail> thumbs = new ArrayList<>(widths.size());
    for (int requested : widths) {
      int utw = req.upscale() ? requested : Math.min(requested, uw);
      int uth = targetHeight(uw, uh, utw);
      int tw = swap ? uth : utw;
      int th = swap ? utw : uth;
      long r0 = System.nanoTime();
      Pixels out;
      if (tw == w && th == h) {
        Pixels full = decoded.pixels();
        out = decoded.toBgr(full.withData(full.width(), full.height(), full.data().clone()));
      } else {
        if (req.reducingGap() >= 1.0) {
          int more = (int) Math.floor(Math.min((double) current.width() / (tw * req.reducingGap()),
              (double) current.height() / (th * req.reducingGap())));
          if (more >= 2) {
            current = BoxReducer.reduce(current, more, more);
            factor *= more;
          }
        }
        out = decoded.toBgr(Lanczos.resize(current, 0, 0, (double) w / factor, (double) h / factor, tw, th));
      }
      out = Orientation.apply(out, orientation);
      long r1 = System.nanoTime();
      Path target = outDir.resolve(thumbnailName(req.stem(), requested, ext));
      final Pixels px = out;
      long bytes = AtomicFiles.write(target, os -> ImageCodec.write(px, writeFormat, req.jpegQuality(), os));
      long r2 = System.nanoTime();
      resizeNanos += r1 - r0;
      encodeNanos += r2 - r1;
      thumbs.add(new Thumbnail(target.toAbsolutePath().toString(), requested, out.width(), out.height(), bytes));
    }
    return new ResizeResult(req.source(), header.format(), uw, uh, thumbs, t1 - t0, resizeNanos, encodeNanos,
        worker, null, null);
  }

  /** The extension of a file name without the dot, or "" if none. */
  public static String extensionOf(String name) {
    int dot = name.lastIndexOf('.');
    return dot <= 0 || dot == name.length() - 1 ? "" : name.substring(dot + 1);
  }

  /** The file name without its extension. */
  public static String stemOf(String name) {
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? name : name.substring(0, dot);
  }
}
