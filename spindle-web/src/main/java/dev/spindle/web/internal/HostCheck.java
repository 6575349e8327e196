package dev.spindle.web.internal;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Refuses requests whose {@code Host} header names a host the dashboard does not serve, as a defence
 * against DNS rebinding: a page on {@code evil.example} whose name is re-pointed at 127.0.0.1 reaches
 * the dashboard with {@code Host: evil.example}, which is refused with 421 before authentication.
 * Served: IP address literals (a rebinding attack needs a name it controls), {@code localhost}, the
 * name the dashboard is bound to, and the names allowed explicitly (case ignored; the port is not
 * compared). A request without a {@code Host} header gets 400. Immutable; thread-safe.
 */
public final class HostCheck {
  private final Set<String> names;

  /**
   * A check serving {@code localhost}, {@code bind} when it is a name, and {@code allowed}.
   *
   * @param bind the address or name the server listens on
   * @param allowed further host names (lower-cased here)
   */
  public HostCheck(String bind, Set<String> allowed) {
    Set<String> n = new TreeSet<>();
    n.add("localhost");
    if (!isIpLiteral(bind)) {
      n.add(bind.toLowerCase(Locale.ROOT));
    }
    allowed.forEach(a -> n.add(a.toLowerCase(Locale.ROOT)));
    this.names = Set.copyOf(n);
  }

  /**
   * Checks a request's {@code Host} header.
   *
   * @throws Problem 421 if it names a host not served, 400 if there is none
   */
  public void check(Context ctx) {
    String header = ctx.header("Host");
    if (header == null || header.isBlank()) {
      throw Problem.badRequest("a Host header is required");
    }
    String host = hostOf(header.strip());
    if (!serves(host)) {
      throw new Problem(421, "Misdirected request", "this dashboard does not serve the host '"
          + dev.spindle.spi.Echo.of(host) + "' (it serves IP addresses, " + String.join(", ", names)
          + "); to reach it under that name, start it with --allowed-host " + dev.spindle.spi.Echo.of(host)
          + " (Dashboard.Builder.allowedHosts)");
    }
  }

  /** True if {@code host} (without port) is served. */
  boolean serves(String host) {
    return isIpLiteral(host) || names.contains(host.toLowerCase(Locale.ROOT));
  }

  /** The host of a {@code Host} header value: without the port, an IPv6 literal without brackets. */
  static String hostOf(String header) {
    if (header.startsWith("[")) {
      int end = header.indexOf(']');
      return end < 0 ? header : header.substring(1, end);
    }
    int colon = header.lastIndexOf(':');
    return colon < 0 ? header : header.substring(0, colon);
  }

  /** True for an IPv4 dotted quad or an IPv6 literal (brackets optional); never resolves a name. */
  static boolean isIpLiteral(@Nullable String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.contains(":")) {
      return h.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
