package dev.spindle.thumbnails.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One URL of a run with the file name it is saved under. Names come from the URL's last path
 * segment (the course's rule), made safe: percent-decoded, characters outside
 * {@code [A-Za-z0-9._-]} replaced by '_', no leading dot, at most 120 characters. Names that would
 * collide (case-insensitively) get {@code -2}, {@code -3}, ... before the extension, so no download
 * overwrites another.
 *
 * @param index position in the list
 * @param url the URL as given
 * @param uri the parsed URI, or null if invalid
 * @param fileName the file name in the incoming folder, or null if invalid
 * @param invalidReason why the URL is invalid, or null
 */
public record ImageSource(int index, String url, @Nullable URI uri, @Nullable String fileName,
    @Nullable String invalidReason) {
  private static final int MAX_NAME = 120;

  /** True if the URL can be downloaded. */
  public boolean valid() {
    return invalidReason == null;
  }

  /** The file name without extension. */
  public String stem() {
    return ThumbnailRenderer.stemOf(Objects.requireNonNull(fileName, "an invalid source has no file name"));
  }

  /** Plans file names for a list of URLs. */
  public static List<ImageSource> plan(List<String> urls) {
    List<ImageSource> out = new ArrayList<>(urls.size());
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < urls.size(); i++) {
      String url = urls.get(i);
      URI uri;
      try {
        uri = parse(url);
      } catch (IllegalArgumentException e) {
        out.add(new ImageSource(i, url, null, null, e.getMessage()));
        continue;
      }
      String name = unique(baseName(uri, i), taken);
      out.add(new ImageSource(i, url, uri, name, null));
    }
    return out;
  }

  /**
   * Sources for files already in {@code dir} (the resize stage alone): the "URL" is the file's
   * path and the name is kept exactly.
   */
  public static List<ImageSource> localFiles(java.nio.file.Path dir, List<String> names) {
    List<ImageSource> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.add(new ImageSource(i, dir.resolve(names.get(i)).toString(), null, names.get(i), null));
    }
    return out;
  }

  static URI parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("empty URL");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("only http and https URLs can be downloaded, not '" + url + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("URL has no host: '" + url + "'");
    }
    return uri;
  }

  static String baseName(URI uri, int index) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    int slash = path.lastIndexOf('/');
    String last = slash >= 0 ? path.substring(slash + 1) : path;
    String decoded;
    try {
      decoded = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = last;
    }
    StringBuilder sb = new StringBuilder(decoded.length());
    for (int i = 0; i < decoded.length(); i++) {
      char c = decoded.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      sb.append(ok ? c : '_');
    }
    String name = sb.toString();
    while (name.startsWith(".")) {
      name = name.substring(1);
    }
    String stem = ThumbnailRenderer.stemOf(name);
    if (stem.isEmpty() || stem.chars().allMatch(c -> c == '_' || c == '.')) {
      name = "image-" + (index + 1) + (name.contains(".") ? name.substring(name.lastIndexOf('.')) : "");
    }
    if (name.length() > MAX_NAME) {
      String ext = ThumbnailRenderer.extensionOf(name);
      String s = ThumbnailRenderer.stemOf(name);
      int keep = MAX_NAME - (ext.isEmpty() ? 0 : ext.length() + 1);
      name = s.substring(0, Math.max(1, Math.min(s.length(), keep))) + (ext.isEmpty() ? "" : "." + ext);
    }
    return name;
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    int n = 2;
    while (!taken.add(ThumbnailRenderer.stemOf(candidate).toLowerCase(Locale.ROOT))) {
      String ext = ThumbnailRenderer.extensionOf(name);
      candidate = ThumbnailRenderer.stemOf(name) + "-" + n++ + (ext.isEmpty() ? "" : "." + ext);
    }
    return candidate;
  }
}
