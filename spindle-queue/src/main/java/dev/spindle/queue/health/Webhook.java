package dev.spindle.queue.health;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * One receiver of alerts: a name for messages, the URL to POST to, and the body's format. The URL
 * may hold a secret (a Slack webhook's token): it is never shown, logged or put in an error; {@link
 * #toString()} names the webhook by its name only. Immutable.
 *
 * @param name a short name for logs and the dashboard, e.g. {@code ops-slack}
 * @param url the {@code http} or {@code https} URL that receives a POST per alert
 * @param format the body posted
 */
public record Webhook(String name, URI url, Format format) {
  /** The body of an alert's POST. */
  public enum Format {
    /** {@code {"event": ..., "text": ..., "incident": {...}}}: for receivers of your own. */
    JSON,
    /** {@code {"text": ...}}: what Slack's incoming webhooks (and Mattermost, Rocket.Chat...) take. */
    SLACK;

    /** The format named {@code json} or {@code slack} (any case). */
    public static Format parse(String name, String webhook) {
      return switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "json" -> JSON;
        case "slack" -> SLACK;
        default -> throw new IllegalArgumentException("webhook '" + webhook + "': unknown format '" + name
            + "' (json or slack)");
      };
    }
  }

  /**
   * Checks the webhook without ever showing its URL.
   *
   * @throws IllegalArgumentException if the name is blank or not of letters, digits, '-', '_', '.',
   *     or the URL is not an absolute http or https URL with a host
   */
  public Webhook {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(format, "format");
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("a webhook's name must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException("webhook '" + name + "': its URL must be an absolute http or https URL"
          + " with a host (the URL is not shown: it may hold a secret)");
    }
  }

  /**
   * A webhook from text, e.g. a configuration value.
   *
   * @throws IllegalArgumentException if the URL does not parse (the URL is not shown) or is refused
   *     as by the constructor
   */
  public static Webhook of(String name, String url, Format format) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("webhook '" + name + "': its URL does not parse (the URL is not shown: "
          + "it may hold a secret)");
    }
    return new Webhook(name, uri, format);
  }

  /** The name and format, never the URL. */
  @Override
  public String toString() {
    return "Webhook[" + name + ", " + format.name().toLowerCase(Locale.ROOT) + "]";
  }
}
