package dev.spindle.metrics;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A real Prometheus server (Debian's {@code prometheus}, installed by {@code bin/ensure-prometheus.sh})
 * started on a free loopback port with a temporary configuration that scrapes one target every
 * second. Not thread-safe; close to stop it.
 */
final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The prometheus binary: $SPINDLE_PROMETHEUS or /usr/bin/prometheus; fails (never skips) if missing. */
  static Path binary() {
    return tool("SPINDLE_PROMETHEUS", "/usr/bin/prometheus");
  }

  /** The promtool binary: $SPINDLE_PROMTOOL or /usr/bin/promtool. */
  static Path promtool() {
    return tool("SPINDLE_PROMTOOL", "/usr/bin/promtool");
  }

  private static Path tool(String env, String fallback) {
    String v = System.getenv(env);
    Path p = Path.of(v != null && !v.isBlank() ? v : fallback);
    if (!Files.isExecutable(p)) {
      throw new AssertionError(p + " is missing: the metrics tests need Prometheus; ./run-tests installs it "
          + "(bin/ensure-prometheus.sh), or run apt-get install prometheus");
    }
    return p;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts a server scraping {@code 127.0.0.1:targetPort/metrics} every second. */
  static PrometheusServer start(Path dir, int targetPort) throws Exception {
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: spindle
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(targetPort));
    Path log = dir.resolve("prometheus.log");
    Process p = new ProcessBuilder(binary().toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PrometheusServer s = new PrometheusServer(p, port, log);
    try {
      await("prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!p.isAlive()) {
              throw new AssertionError("prometheus exited: " + Files.readString(log));
            }
            return s.get("/-/ready").statusCode() == 200;
          });
    } catch (RuntimeException | AssertionError e) {
      s.close();
      throw e;
    }
    return s;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      return new HttpResponse<>() {
        @Override public int statusCode() { return 0; }
        @Override public HttpRequest request() { return null; }
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true); }
        @Override public String body() { return ""; }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        @Override public URI uri() { return null; }
        @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
      };
    }
  }

  /** The values of an instant query through {@code /api/v1/query} (one per series). */
  List<Double> query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new AssertionError("query " + promql + " answered " + r.statusCode() + ": " + r.body());
    }
    JsonNode result = JSON.readTree(r.body()).path("data").path("result");
    List<Double> out = new java.util.ArrayList<>();
    for (JsonNode series : result) {
      out.add(Double.parseDouble(series.path("value").get(1).asString()));
    }
    return out;
  }

  /** The health of the scrape target (up), as Prometheus sees it. */
  List<Double> up() throws IOException, InterruptedException {
    return query("up{job=\"spindle\"}");
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The server's log (for failure messages). */
  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
