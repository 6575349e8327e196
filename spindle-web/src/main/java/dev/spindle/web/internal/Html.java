package dev.spindle.web.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/** HTML building blocks: escaping, the page frame, small formatters. Stateless; thread-safe. */
final class Html {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  private Html() {}

  /** Escapes text for HTML content and attribute values. */
  public static String esc(@Nullable Object o) {
    if (o == null) {
      return "";
    }
    String s = o.toString();
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** URL-encodes a query value. */
  public static String url(@Nullable String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  /** A UTC time, or a dash. */
  public static String time(@Nullable Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  /** 850 ms, 12.3 s, 4 m 05 s, 3 h 02 m, 2 d 04 h. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      return "-" + human(d.negated());
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(java.util.Locale.ROOT, "%d m %02d s", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(java.util.Locale.ROOT, "%d h %02d m", s / 3600, (s % 3600) / 60);
    }
    return String.format(java.util.Locale.ROOT, "%d d %02d h", s / 86_400, (s % 86_400) / 3600);
  }

  /**
   * What the page frame needs besides the body.
   *
   * @param base the dashboard's root as an absolute path ending in '/' (the {@code <base href>}:
   *     every link in the pages and app.js is relative to it, so the dashboard works wherever it is
   *     mounted)
   * @param user who is logged in, shown in the header, or {@code null} (log-in and error pages)
   * @param csrf the CSRF token for app.js, or {@code null} (no app.js)
   * @param csrfHeader the header app.js sends it in
   * @param hostCsrf the host application's own CSRF token, or {@code null}
   * @param logout whether to offer the dashboard's own log-out (not when the host authenticates)
   */
  record Frame(String base, @Nullable String user, @Nullable String csrf, String csrfHeader,
      dev.spindle.web.HostSecurity.@Nullable HostCsrfToken hostCsrf, boolean logout) {
    /** A frame for a page without a user (log-in, errors). */
    static Frame anonymous(String base) {
      return new Frame(base, null, null, Auth.CSRF_HEADER, null, false);
    }
  }

  /** A whole page: header with navigation, the CSRF token(s) in meta tags (read by app.js), the body. */
  public static String page(Frame f, String title, String active, String body) {
    StringBuilder b = new StringBuilder(4096 + body.length());
    b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<base href=\"").append(esc(f.base())).append("\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>").append(esc(title)).append(" · Spindle</title>")
        .append("<link rel=\"stylesheet\" href=\"assets/app.css\">");
    if (f.csrf() != null) {
      b.append("<meta name=\"csrf-token\" content=\"").append(esc(f.csrf())).append("\">")
          .append("<meta name=\"csrf-header\" content=\"").append(esc(f.csrfHeader())).append("\">");
      if (f.hostCsrf() != null) {
        b.append("<meta name=\"host-csrf-header\" content=\"").append(esc(f.hostCsrf().headerName()))
            .append("\"><meta name=\"host-csrf-token\" content=\"").append(esc(f.hostCsrf().token())).append("\">");
      }
      b.append("<script src=\"assets/app.js\" defer></script>");
    }
    b.append("</head><body><header><a class=\"brand\" href=\"./\">Spindle</a>");
    if (f.user() != null) {
      b.append("<nav>");
      for (String[] n : new String[][] {{"./", "Overview"}, {"queues", "Queues"}, {"jobs", "Jobs"},
          {"dead", "Dead letters"}, {"workers", "Workers"}, {"schedules", "Schedules"}, {"flow", "Flow limits"},
          {"incidents", "Incidents"}, {"audit", "Audit"}}) {
        b.append("<a href=\"").append(n[0]).append("\"").append(n[1].equals(active) ? " class=\"active\"" : "")
            .append(">").append(n[1]).append("</a>");
      }
      b.append("</nav><span class=\"user\">").append(esc(f.user()));
      if (f.logout()) {
        b.append(" <button type=\"button\" id=\"logout\" data-post=\"logout\">Log out</button>");
      }
      b.append("</span><span id=\"live\" class=\"live\" title=\"live updates\">●</span>");
    }
    b.append("</header><main>").append(body).append("</main></body></html>");
    return b.toString();
  }
}
