package dev.spindle.queue.health;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the webhooks of a {@link WebhookAlerter} from a properties file or from the environment,
 * never from a command line (where other users of the host could read a URL's secret).
 *
 * <p>File: {@code webhook.<name>.url = https://...} and optionally {@code webhook.<name>.format =
 * slack | json} (default {@code json}). Environment: {@code SPINDLE_WEBHOOK_<NAME>_URL} and {@code
 * SPINDLE_WEBHOOK_<NAME>_FORMAT}, the name lower-cased. Errors name the webhook and the key, never
 * the URL. Stateless; thread-safe.
 */
public final class AlertConfig {
  private static final String ENV_PREFIX = "SPINDLE_WEBHOOK_";

  private AlertConfig() {}

  /**
   * The webhooks of a properties file (UTF-8), by name.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if a key is unknown, a webhook lacks a URL, or a value is refused
   */
  public static List<Webhook> load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, String> m = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      m.put(k, p.getProperty(k));
    }
    return fromProperties(m);
  }

  /**
   * The webhooks of {@code webhook.<name>.url} / {@code .format} entries, by name.
   *
   * @throws IllegalArgumentException if a key is unknown, a webhook lacks a URL, or a value is refused
   */
  public static List<Webhook> fromProperties(Map<String, String> props) {
    Map<String, String> urls = new TreeMap<>();
    Map<String, String> formats = new TreeMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      String k = e.getKey();
      String[] parts = k.split("\\.", -1);
      if (parts.length != 3 || !parts[0].equals("webhook") || !(parts[2].equals("url") || parts[2].equals("format"))) {
        throw new IllegalArgumentException("unknown alert setting '" + k + "': expected webhook.<name>.url or "
            + "webhook.<name>.format");
      }
      (parts[2].equals("url") ? urls : formats).put(parts[1], e.getValue());
    }
    return build(urls, formats);
  }

  /** The webhooks of {@code SPINDLE_WEBHOOK_<NAME>_URL} / {@code _FORMAT} variables of {@code env}, by name. */
  public static List<Webhook> fromEnvironment(Map<String, String> env) {
    Map<String, String> urls = new TreeMap<>();
    Map<String, String> formats = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(ENV_PREFIX)) {
        continue;
      }
      String rest = k.substring(ENV_PREFIX.length());
      if (rest.endsWith("_URL") && rest.length() > 4) {
        urls.put(name(rest, 4), e.getValue());
      } else if (rest.endsWith("_FORMAT") && rest.length() > 7) {
        formats.put(name(rest, 7), e.getValue());
      }
    }
    return build(urls, formats);
  }

  private static String name(String rest, int suffix) {
    return rest.substring(0, rest.length() - suffix).toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static List<Webhook> build(Map<String, String> urls, Map<String, String> formats) {
    TreeSet<String> orphans = new TreeSet<>(formats.keySet());
    orphans.removeAll(urls.keySet());
    if (!orphans.isEmpty()) {
      throw new IllegalArgumentException("webhook(s) " + orphans + " have a format but no URL");
    }
    List<Webhook> out = new ArrayList<>();
    for (Map.Entry<String, String> e : urls.entrySet()) {
      String f = formats.get(e.getKey());
      out.add(Webhook.of(e.getKey(), e.getValue(),
          f == null ? Webhook.Format.JSON : Webhook.Format.parse(f, e.getKey())));
    }
    return List.copyOf(out);
  }
}
