package dev.spindle.metrics;

import io.javalin.Javalin;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP server (Javalin on Jetty, as the dashboard) answering {@code GET /metrics} with
 * {@link SpindleMetrics#scrape()}. Binds 127.0.0.1 by default; any other address needs a bearer
 * token (from the environment variable {@value #TOKEN_ENV} in the CLI, never a command line), which
 * requests must then present as {@code Authorization: Bearer <token>}. Thread-safe; close to stop.
 */
public final class MetricsServer implements AutoCloseable {
  /** The environment variable the CLI reads the token from. */
  public static final String TOKEN_ENV = "SPINDLE_METRICS_TOKEN";

  private final Javalin app;

  private MetricsServer(Javalin app) {
    this.app = app;
  }

  /**
   * Starts a server.
   *
   * @param bind the address to listen on (a loopback address unless a token is given)
   * @param port the port, 0 for any free one
   * @param token the bearer token requests must present, or {@code null} for none (loopback only)
   * @throws IllegalArgumentException if a non-loopback address is given without a token, or the
   *     port is out of range
   */
  public static MetricsServer start(SpindleMetrics metrics, String bind, int port, @Nullable String token) {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(bind, "bind");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("metrics port must be 0-65535: " + port);
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve the metrics bind address '"
          + dev.spindle.spi.Echo.of(bind) + "'", e);
    }
    if (!loopback && (token == null || token.isBlank())) {
      throw new IllegalArgumentException("the metrics server binds " + dev.spindle.spi.Echo.of(bind)
          + ", which is not a loopback address: set a bearer token in $" + TOKEN_ENV + " first");
    }
    byte[] expected = token == null || token.isBlank() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    Javalin app = Javalin.create(cfg -> {
      cfg.jetty.host = bind;
      cfg.jetty.port = port;
      cfg.startup.showJavalinBanner = false;
      cfg.routes.get("/metrics", ctx -> {
        if (expected != null) {
          String h = ctx.header("Authorization");
          if (h == null || !MessageDigest.isEqual(expected, h.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"spindle-metrics\"").status(401)
                .contentType("text/plain; charset=utf-8").result("credentials required\n");
            return;
          }
        }
        ctx.contentType(SpindleMetrics.contentType()).result(metrics.scrape());
      });
    });
    app.start();
    return new MetricsServer(app);
  }

  /** {@link #start(SpindleMetrics, String, int, String)} on 127.0.0.1 without a token. */
  public static MetricsServer start(SpindleMetrics metrics, int port) {
    return start(metrics, "127.0.0.1", port, null);
  }

  /** The port it listens on. */
  public int port() {
    return app.port();
  }

  /** Stops the server. Idempotent. */
  @Override
  public void close() {
    app.stop();
  }
}
