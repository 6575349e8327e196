package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real SQLite store and a dashboard on a free loopback port, with an operator and a viewer token. */
final class WebFixture implements AutoCloseable {
  static final String OPERATOR_TOKEN = "operator-token-0123456789";
  static final String VIEWER_TOKEN = "viewer-token-0123456789ab";
  static final String PASSWORD = "correct horse battery";
  static final JsonMapper JSON = JsonMapper.builder().build();

  final StoreBackend store;
  final Dashboard dashboard;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static WebFixture sqlite(Path dir) {
    return new WebFixture(SqliteJobStore.open(dir.resolve("jobs.db")));
  }

  WebFixture(StoreBackend store) {
    this(store, configure(Dashboard.builder(store)));
  }

  WebFixture(StoreBackend store, Dashboard.Builder b) {
    this.store = store;
    this.dashboard = b.build().start();
  }

  static Dashboard.Builder configure(Dashboard.Builder b) {
    Credentials c = Credentials.builder()
        .token("ops", Role.OPERATOR, OPERATOR_TOKEN)
        .token("watcher", Role.VIEWER, VIEWER_TOKEN)
        .password("alice", Role.OPERATOR, PASSWORD.toCharArray())
        .password("bob", Role.VIEWER, PASSWORD.toCharArray())
        .build();
    return b.port(0).credentials(c).tick(Duration.ofMillis(200)).supervisorRunDirectory(null)
        .route("/metrics", Role.VIEWER, () -> RouteResponse.ok("text/plain", "spindle_up 1\n"));
  }

  String url(String path) {
    return dashboard.url() + path;
  }

  HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  HttpResponse<String> get(String path, String token) {
    return send(request(path, token).GET().build());
  }

  HttpResponse<String> post(String path, String token, String json) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  HttpResponse<String> send(HttpRequest r) {
    try {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  @Override
  public void close() {
    dashboard.close();
    store.close();
  }
}
