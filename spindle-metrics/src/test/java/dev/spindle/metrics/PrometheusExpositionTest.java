package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes a running worker's {@code /metrics}; promtool accepts the exposition
 * and the alert rules of {@code docs/}.
 */
class PrometheusExpositionTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  private static TaskRegistry registry() {
    return TaskRegistry.builder().addCatalog(MetricsTasks.class).build();
  }

  @Test
  void prometheusScrapesAWorkerAndReadsTheSucceededCountBack() throws Exception {
    SpindleMetrics metrics = SpindleMetrics.builder().storeRefresh(Duration.ofMillis(500)).build();
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
         JobQueue queue = JobQueue.builder(store).registry(registry()).observer(metrics.observer()).build();
         Worker worker = queue.worker().queues("default", "flaky").model(ExecutionModel.THREADS).concurrency(2)
             .start();
         MetricsServer server = MetricsServer.start(metrics.bindStore(store)
             .bindExecutor(() -> worker.executorStats().orElse(null)), 0);
         PrometheusServer prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prom")),
             server.port())) {
      for (int i = 0; i < 5; i++) {
        queue.enqueue(MetricsTasks.ECHO, i);
      }
      queue.enqueue(MetricsTasks.FLAKY, 1, JobOptions.builder().queue("flaky")
          .retry(RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ofMillis(10)).jitter(0).build()).build());
      await().atMost(WAIT).until(() -> worker.stats().succeeded() == 6);
      // the attempts' ends reach the observer a moment after the worker counted them, and Prometheus
      // scrapes on its own schedule: every figure is awaited together in one scrape's worth
      await("prometheus read the jobs back").atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertThat(prometheus.query("sum(spindle_jobs_succeeded_total{queue=\"default\",task=\"m.echo\"})"))
            .containsExactly(5.0);
        assertThat(prometheus.query("spindle_jobs_retried_total{queue=\"flaky\",task=\"m.flaky\"}"))
            .containsExactly(1.0);
        assertThat(prometheus.query("spindle_jobs_enqueued_total{queue=\"default\",task=\"m.echo\"}"))
            .containsExactly(5.0);
        assertThat(prometheus.query(
            "spindle_jobs_run_seconds_count{queue=\"flaky\",task=\"m.flaky\",outcome=\"succeeded\"}"))
            .containsExactly(1.0);
        assertThat(prometheus.query("spindle_jobs_wait_seconds_count{queue=\"default\",task=\"m.echo\"}"))
            .containsExactly(5.0);
      });
      await("the live worker gauge").atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
          assertThat(prometheus.query("spindle_workers_live{queue=\"default\"}")).containsExactly(1.0));
      assertThat(prometheus.query("spindle_slots_free{queue=\"default\"}")).containsExactly(2.0);
      assertThat(prometheus.query("spindle_executor_tasks_total{outcome=\"submitted\"}")).hasSize(1)
          .allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(6.0));
      assertThat(prometheus.query("count(count by (__name__) ({job=\"spindle\",__name__=~\"spindle_.*\"}))"))
          .allSatisfy(v -> assertThat(v).isGreaterThan(15.0));
    }
  }

  @Test
  void promtoolAcceptsTheExposition() throws Exception {
    SpindleMetrics metrics = SpindleMetrics.builder().build();
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
         JobQueue queue = JobQueue.builder(store).registry(registry()).observer(metrics.observer()).build();
         Worker worker = queue.worker().concurrency(2).start()) {
      metrics.bindStore(store).bindExecutor(() -> worker.executorStats().orElse(null));
      queue.enqueue(MetricsTasks.ECHO, 1);
      queue.enqueue(MetricsTasks.FLAKY, 1, JobOptions.builder().retry(RetryPolicy.none()).build());
      await().atMost(WAIT).until(() -> worker.stats().succeeded() + worker.stats().failed() == 2);
      // an attempt's end reaches the observer on the worker's observer thread, a moment after the
      // worker counted it: the scrape is repeated until it shows both
      String text;
      try (MetricsServer server = MetricsServer.start(metrics, 0)) {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build();
        text = await().atMost(WAIT).until(() -> {
          HttpResponse<String> r = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
          return r.body();
        }, body -> body.contains("spindle_jobs_failed_total{queue=\"default\",task=\"m.flaky\"} 1.0"));
      }
      assertThat(text).contains("spindle_jobs_succeeded_total{queue=\"default\",task=\"m.echo\"} 1.0")
          .contains("spindle_jobs_failed_total{queue=\"default\",task=\"m.flaky\"} 1.0")
          .contains("spindle_queue_oldest_age_seconds{queue=\"default\"}")
          .doesNotContain("job_id").doesNotContain("worker_id");
      Result check = run(text, PrometheusServer.promtool().toString(), "check", "metrics");
      assertThat(check.exit()).as("promtool check metrics:\n%s", check.output()).isZero();
    }
  }

  @Test
  void promtoolAcceptsTheAlertRules() throws Exception {
    Path rules = Path.of("..", "docs", "prometheus", "spindle-alerts.yml");
    assertThat(rules).exists();
    Result check = run("", PrometheusServer.promtool().toString(), "check", "rules", rules.toString());
    assertThat(check.exit()).as("promtool check rules:\n%s", check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS");
    String text = Files.readString(rules);
    assertThat(text).contains("SpindleBacklogTooOld").contains("SpindleFailureRatioHigh")
        .contains("SpindleNoLiveWorker").contains("SpindleCrashLoop");
  }

  @Test
  void aNonLoopbackServerNeedsAToken() {
    SpindleMetrics metrics = SpindleMetrics.builder().build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MetricsServer.start(metrics, "0.0.0.0", 0, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(MetricsServer.TOKEN_ENV);
  }

  @Test
  void aTokenIsRequiredWhenSet() throws Exception {
    SpindleMetrics metrics = SpindleMetrics.builder().build();
    try (MetricsServer server = MetricsServer.start(metrics, "127.0.0.1", 0, "s3cret")) {
      HttpClient c = HttpClient.newHttpClient();
      URI u = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      assertThat(c.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);
      assertThat(c.send(HttpRequest.newBuilder(u).header("Authorization", "Bearer s3cret").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  private record Result(int exit, String output) {}

  private Result run(String stdin, String... cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "promtool", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), Files.readString(out));
  }

}
