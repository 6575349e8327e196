package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes images with ImageIO, turning every problem into an {@link ImageProblem} with the
 * right {@link FailureReason}. The header is read first and the pixel limit checked before a single
 * pixel is decoded. No global ImageIO state is changed (no disk cache is used: files are read
 * through a buffered {@link MemoryCacheImageInputStream}, output is buffered in memory). Stateless
 * and thread-safe.
 */
public final class ImageCodec {
  private ImageCodec() {}

  /**
   * What a header says, read without decoding pixels.
   *
   * @param orientation the EXIF orientation 1..8 (1 = upright, also when absent)
   */
  public record Header(String format, int width, int height, int orientation) {
    public long pixels() {
      return (long) width * height;
    }
  }

  /**
   * A decoded image.
   *
   * @param ycc true if the pixels are JFIF Y, Cb, Cr samples rather than B, G, R (see
   *     {@link #toBgr})
   */
  public record Decoded(Header header, Pixels pixels, boolean ycc) {
    /** Pixels of this image's layout in B, G, R order (converting Y, Cb, Cr in place). */
    public Pixels toBgr(Pixels p) {
      return ycc ? YCbCr.toBgr(p) : p;
    }
  }

  private static final String JDK_JPEG_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";

  /**
   * Reads the header of {@code file} and checks the pixel limit.
   *
   * @throws ImageProblem NOT_AN_IMAGE, TRUNCATED, CORRUPT or TOO_MANY_PIXELS
   */
  public static Header probe(Path file, long maxPixels) throws ImageProblem, IOException {
    try (ImageInputStream in = open(file)) {
      ImageReader reader = readerFor(in, file);
      try {
        return header(reader, in, file, maxPixels);
      } finally {
        reader.dispose();
      }
    }
  }

  /**
   * Decodes {@code file}: header first, pixel limit check, then the pixels, refusing data that
   * ends early (libjpeg only warns about that and fills the rest with grey).
   *
   * @throws ImageProblem NOT_AN_IMAGE, TRUNCATED, CORRUPT or TOO_MANY_PIXELS
   * @throws IOException if the file cannot be read
   */
  public static Decoded decode(Path file, long maxPixels) throws ImageProblem, IOException {
    try (ImageInputStream in = open(file)) {
      ImageReader reader = readerFor(in, file);
      try {
        Header header = header(reader, in, file, maxPixels);
        List<String> warnings = new ArrayList<>(2);
        reader.addIIOReadWarningListener(new IIOReadWarningListener() {
          @Override
          public void warningOccurred(ImageReader source, String warning) {
            warnings.add(warning);
          }
        });
        ImageReadParam param = reader.getDefaultReadParam();
        BufferedImage image = null;
        Raster raw = null;
        try {
          if (isRawYcc(reader, header)) {
            raw = reader.readRaster(0, param);
          } else {
            image = reader.read(0, param);
          }
        } catch (IIOException | EOFException | IndexOutOfBoundsException | IllegalArgumentException e) {
          throw classify(e, file, header);
        }
        for (String w : warnings) {
          if (isTruncation(w)) {
            throw new ImageProblem(FailureReason.TRUNCATED, file.getFileName() + ": image data ends early ("
                + header.format() + " " + header.width() + "x" + header.height() + "; decoder: " + w + ")");
          }
        }
        if (raw != null) {
          if (isPacked(raw, 3)) {
            byte[] data = ((DataBufferByte) raw.getDataBuffer()).getData();
            return new Decoded(header, new Pixels(raw.getWidth(), raw.getHeight(), 3, -1, data), true);
          }
          throw new ImageProblem(FailureReason.CORRUPT, file.getFileName() + ": unexpected raster layout from the JPEG decoder");
        }
        return new Decoded(header, toPixels(Objects.requireNonNull(image, "read when not raw")), false);
      } finally {
        reader.dispose();
      }
    }
  }

  /**
   * True for a three-component YCbCr JPEG decoded by the JDK's reader, whose raw raster then holds
   * Y, Cb, Cr without colour conversion: a JFIF file, or (like most phone photos) an Exif file with
   * neither a JFIF nor an Adobe marker and component ids other than 'R','G','B' (libjpeg's rule).
   * Adobe (RGB, CMYK, YCCK), greyscale and other readers take the converting path.
   */
  private static boolean isRawYcc(ImageReader reader, Header header) {
    if (!"jpeg".equals(header.format()) || !JDK_JPEG_READER.equals(reader.getClass().getName())) {
      return false;
    }
    try {
      org.w3c.dom.Node root = reader.getImageMetadata(0).getAsTree(JPEG_METADATA);
      int components = 0;
      StringBuilder ids = new StringBuilder();
      for (org.w3c.dom.Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
        for (org.w3c.dom.Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
          switch (c.getNodeName()) {
            case "app14Adobe" -> {
              return false;
            }
            case "sof" -> {
              components = Integer.parseInt(c.getAttributes().getNamedItem("numFrameComponents").getNodeValue());
              for (org.w3c.dom.Node cs = c.getFirstChild(); cs != null; cs = cs.getNextSibling()) {
                ids.append((char) Integer.parseInt(cs.getAttributes().getNamedItem("componentId").getNodeValue()));
              }
            }
            default -> { }
          }
        }
      }
      return components == 3 && !ids.toString().equals("RGB");
    } catch (IOException | RuntimeException e) {
      return false; // the converting path reports whatever is wrong
    }
  }

  private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";

  /** The EXIF orientation of a JPEG, 1 if absent or unreadable. */
  private static int exifOrientation(ImageReader reader) {
    try {
      org.w3c.dom.Node root = reader.getImageMetadata(0).getAsTree(JPEG_METADATA);
      for (org.w3c.dom.Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
        for (org.w3c.dom.Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
          if ("unknown".equals(c.getNodeName()) && c instanceof javax.imageio.metadata.IIOMetadataNode m
              && "225".equals(m.getAttribute("MarkerTag")) && m.getUserObject() instanceof byte[] app1) {
            int o = Orientation.fromExif(app1);
            if (o != 1) {
              return o;
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // a broken EXIF block never fails an image
    }
    return 1;
  }

  /** Bytes read from the file at a time. */
  private static final int READ_BUFFER = 64 * 1024;

  /**
   * A buffered stream over {@code file}. Not {@link javax.imageio.stream.FileImageInputStream}: it reads the file a few
   * bytes at a time, and the JPEG reader's metadata pass then cost 12 ms of CPU per phone photo
   * (against 3 ms buffered), 14% of the whole resize.
   */
  private static ImageInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "not a regular file");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), READ_BUFFER);
    return new MemoryCacheImageInputStream(raw) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          raw.close();
        }
      }
    };
  }

  private static ImageReader readerFor(ImageInputStream in, Path file) throws ImageProblem, IOException {
    Iterator<ImageReader> it = ImageIO.getImageReaders(in);
    if (!it.hasNext()) {
      byte[] head = new byte[32];
      int n;
      try (InputStream s = Files.newInputStream(file)) {
        n = s.readNBytes(head, 0, head.length);
      }
      throw new ImageProblem(FailureReason.NOT_AN_IMAGE, file.getFileName() + " is not an image this JVM can read: it starts with "
          + ImageFormats.preview(head, n) + " (" + Files.size(file) + " bytes)");
    }
    ImageReader reader = it.next();
    reader.setInput(in, true, true);
    return reader;
  }

  private static Header header(ImageReader reader, ImageInputStream in, Path file, long maxPixels) throws ImageProblem {
    String format;
    int w;
    int h;
    try {
      format = reader.getFormatName().toLowerCase(Locale.ROOT);
      w = reader.getWidth(0);
      h = reader.getHeight(0);
    } catch (IOException | IndexOutOfBoundsException | IllegalStateException e) {
      throw classify(e, file, null);
    }
    if (w < 1 || h < 1) {
      throw new ImageProblem(FailureReason.CORRUPT, file.getFileName() + ": header gives an empty size " + w + "x" + h);
    }
    long pixels = (long) w * h;
    if (pixels > maxPixels) {
      throw new ImageProblem(FailureReason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
          "%s: %dx%d = %,d pixels exceeds the limit of %,d pixels (a possible decompression bomb); refused before decoding",
          file.getFileName(), w, h, pixels, maxPixels));
    }
    String f = normalizeFormat(format);
    return new Header(f, w, h, "jpeg".equals(f) ? exifOrientation(reader) : 1);
  }

  private static String normalizeFormat(String f) {
    return switch (f) {
      case "jpg", "jpeg", "jpeg-lossless", "jpeg-ls" -> "jpeg";
      default -> f;
    };
  }

  static boolean isTruncation(@Nullable String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    return m.contains("premature end") || m.contains("truncated") || m.contains("missing eoi")
        || m.contains("unexpected end") || m.contains("end of file") || m.contains("eof");
  }

  private static ImageProblem classify(Exception e, Path file, @Nullable Header header) {
    String where = file.getFileName() + (header == null ? "" : " (" + header.format() + " " + header.width() + "x" + header.height() + ")");
    Throwable t = e;
    while (t != null) {
      if (t instanceof EOFException || isTruncation(t.getMessage())) {
        return new ImageProblem(FailureReason.TRUNCATED, where + ": image data ends early (" + describe(e) + ")", e);
      }
      t = t.getCause();
    }
    return new ImageProblem(FailureReason.CORRUPT, where + ": the decoder rejected the data (" + describe(e) + ")", e);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /**
   * The pixels of an image as 8-bit interleaved samples, sharing the array when the image already
   * has such a layout (the usual case for JPEG: {@code TYPE_3BYTE_BGR}).
   */
  public static Pixels toPixels(BufferedImage image) {
    int type = image.getType();
    int channels = switch (type) {
      case BufferedImage.TYPE_3BYTE_BGR -> 3;
      case BufferedImage.TYPE_4BYTE_ABGR -> 4;
      case BufferedImage.TYPE_BYTE_GRAY -> 1;
      default -> 0;
    };
    if (channels != 0 && isPacked(image.getRaster(), channels)) {
      byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
      return new Pixels(image.getWidth(), image.getHeight(), channels, channels == 4 ? 0 : -1, data);
    }
    boolean alpha = image.getColorModel().hasAlpha();
    boolean gray = !alpha && image.getColorModel().getNumComponents() == 1
        && image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
    int target = alpha ? BufferedImage.TYPE_4BYTE_ABGR : gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
    BufferedImage converted = new BufferedImage(image.getWidth(), image.getHeight(), target);
    Graphics2D g = converted.createGraphics();
    try {
      g.setComposite(AlphaComposite.Src);
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    return toPixels(converted);
  }

  private static boolean isPacked(Raster r, int channels) {
    if (!(r.getDataBuffer() instanceof DataBufferByte db) || db.getNumBanks() != 1 || db.getOffset() != 0) {
      return false;
    }
    if (!(r.getSampleModel() instanceof ComponentSampleModel sm)) {
      return false;
    }
    return r.getParent() == null && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0
        && sm.getPixelStride() == channels && sm.getScanlineStride() == r.getWidth() * channels
        && db.getData().length == r.getWidth() * r.getHeight() * channels;
  }

  /** An image sharing nothing with {@code p}, ready to be written. */
  public static BufferedImage toImage(Pixels p) {
    int type = switch (p.channels()) {
      case 1 -> BufferedImage.TYPE_BYTE_GRAY;
      case 3 -> BufferedImage.TYPE_3BYTE_BGR;
      default -> BufferedImage.TYPE_4BYTE_ABGR;
    };
    if (p.channels() == 4 && p.alphaIndex() != 0) {
      throw new IllegalArgumentException("four-channel pixels must hold alpha first (ABGR)");
    }
    BufferedImage image = new BufferedImage(p.width(), p.height(), type);
    byte[] dst = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    System.arraycopy(p.data(), 0, dst, 0, dst.length);
    return image;
  }

  /**
   * Encodes {@code p} as {@code format} ("jpeg" or "png"). Alpha is composited over white for
   * JPEG, which cannot hold it.
   *
   * @param jpegQuality 0..1, used for JPEG only
   */
  public static void write(Pixels p, String format, float jpegQuality, OutputStream out) throws IOException {
    Pixels px = p;
    if ("jpeg".equals(format) && p.hasAlpha()) {
      px = flattenOnWhite(p);
    }
    BufferedImage image = toImage(px);
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IOException("no ImageIO writer for " + format);
    }
    ImageWriter writer = writers.next();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if ("jpeg".equals(format)) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(jpegQuality);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  private static Pixels flattenOnWhite(Pixels p) {
    byte[] in = p.data();
    byte[] out = new byte[p.width() * p.height() * 3];
    for (int i = 0, o = 0; i < in.length; i += 4, o += 3) {
      int a = in[i] & 0xff;
      for (int c = 0; c < 3; c++) {
        int v = in[i + 1 + c] & 0xff;
        out[o + c] = (byte) ((v * a + 255 * (255 - a) + 127) / 255);
      }
    }
    return new Pixels(p.width(), p.height(), 3, -1, out);
  }
}
