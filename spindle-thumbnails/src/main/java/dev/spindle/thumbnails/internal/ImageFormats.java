package dev.spindle.thumbnails.internal;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Image format sniffing by magic numbers and the mapping from formats to file extensions. */
final class ImageFormats {
  private ImageFormats() {}

  /** How many leading bytes {@link #sniff} needs at most. */
  public static final int SNIFF_BYTES = 12;

  /**
   * The format whose signature starts {@code head} ("jpeg", "png", "gif", "bmp", "webp", "tiff"),
   * or null if none matches.
   */
  public static @Nullable String sniff(byte[] head, int len) {
    if (len >= 3 && u(head[0]) == 0xFF && u(head[1]) == 0xD8 && u(head[2]) == 0xFF) {
      return "jpeg";
    }
    if (len >= 8 && u(head[0]) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G'
        && head[4] == '\r' && head[5] == '\n' && u(head[6]) == 0x1A && head[7] == '\n') {
      return "png";
    }
    if (len >= 6 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F' && head[3] == '8') {
      return "gif";
    }
    if (len >= 2 && head[0] == 'B' && head[1] == 'M') {
      return "bmp";
    }
    if (len >= 12 && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F'
        && head[8] == 'W' && head[9] == 'E' && head[10] == 'B' && head[11] == 'P') {
      return "webp";
    }
    if (len >= 4 && ((head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0)
        || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42))) {
      return "tiff";
    }
    return null;
  }

  /** A printable preview of the first bytes, for "not an image" messages. */
  public static String preview(byte[] head, int len) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(len, 24);
    boolean text = true;
    for (int i = 0; i < n; i++) {
      int b = u(head[i]);
      if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' || b > 0x7e) {
        text = false;
      }
    }
    if (n == 0) {
      return "an empty body";
    }
    if (text) {
      sb.append("text '");
      for (int i = 0; i < n; i++) {
        char c = (char) u(head[i]);
        sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : String.valueOf(c));
      }
      return sb.append(len > n ? "...'" : "'").toString();
    }
    sb.append("bytes");
    for (int i = 0; i < Math.min(n, 8); i++) {
      sb.append(String.format(Locale.ROOT, " %02x", u(head[i])));
    }
    return sb.toString();
  }

  /**
   * The extension for thumbnails of a source: the source's own extension when it names the
   * format that is written, otherwise the written format's usual one.
   */
  public static String outputExtension(String writeFormat, String sourceExtension) {
    String ext = sourceExtension == null ? "" : sourceExtension;
    String lower = ext.toLowerCase(Locale.ROOT);
    return switch (writeFormat) {
      case "jpeg" -> lower.equals("jpg") || lower.equals("jpeg") || lower.equals("jpe") ? ext : "jpg";
      case "png" -> lower.equals("png") ? ext : "png";
      default -> throw new IllegalArgumentException("unsupported output format " + writeFormat);
    };
  }

  /** The format thumbnails are written in for a decoded format: JPEG stays JPEG, the rest PNG. */
  public static String writeFormat(String decodedFormat) {
    return "jpeg".equals(decodedFormat) ? "jpeg" : "png";
  }

  private static int u(byte b) {
    return b & 0xff;
  }
}
