package dev.spindle.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.StoreAdmin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample application over HTTP on a random port (Spring Boot's test support), with its worker
 * and an SQLite store in a temporary directory: an order placed is confirmed by a job (and counted in Actuator's metrics); a rejected
 * order leaves neither a row nor a job; Actuator reports Spindle UP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTest {
  static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("spindle-sample-test");
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry r) {
    r.add("spindle.store.location", () -> "sqlite:" + DIR.resolve("jobs.db"));
    r.add("spindle.worker.poll-interval", () -> "50ms");
  }

  @Autowired
  Environment env;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  JobQueue queue;

  @Autowired
  StoreAdmin admin;

  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + env.getProperty("local.server.port") + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json");
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anOrderIsConfirmedByAJobAfterItsTransactionCommits() throws Exception {
    HttpResponse<String> placed = send("POST", "/orders", "{\"item\":\"green tea\"}");
    assertThat(placed.statusCode()).isEqualTo(202);
    long id = Long.parseLong(placed.body().replaceAll(".*\"orderId\":(\\d+).*", "$1"));
    // Enqueued through SpindleTasks<OrderTasks> with the options @SpindleTask declares.
    JobInfo job = admin.inspector().listJobs(JobFilter.all().withTask(OrderTasks.CONFIRM)).stream()
        .filter(j -> j.argsJson().contains("\"orderId\":" + id + ",")).findFirst().orElseThrow();
    assertThat(job.policy().retry().maxAttempts()).isEqualTo(5);
    assertThat(job.policy().timeout()).isEqualTo(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", "/orders/" + id, null).body()
        .contains("\"confirmed\":true"));
    // Spindle's meters are on the application's registry, read through Actuator's metrics endpoint.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<String> m = send("GET", "/actuator/metrics/spindle.jobs.succeeded", null);
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).contains("\"name\":\"spindle.jobs.succeeded\"");
    });
  }

  @Test
  void aRejectedOrderLeavesNoRowAndNoJob() throws Exception {
    long jobsBefore = jobs();
    Long rowsBefore = jdbc.queryForObject("select count(*) from orders", Long.class);
    HttpResponse<String> rejected = send("POST", "/orders?reject=true", "{\"item\":\"nothing\"}");
    assertThat(rejected.statusCode()).isEqualTo(409);
    assertThat(jdbc.queryForObject("select count(*) from orders", Long.class)).isEqualTo(rowsBefore);
    assertThat(jobs()).isEqualTo(jobsBefore);
  }

  @Test
  void theCronScheduleIsStoredAndActuatorReportsSpindleUp() throws Exception {
    // Declared by @SpindleSchedule on OrderTasks.report.
    assertThat(queue.schedules()).filteredOn(s -> s.schedule().name().equals(OrderTasks.REPORT_SCHEDULE))
        .singleElement().satisfies(s -> assertThat(s.schedule().task()).isEqualTo(OrderTasks.REPORT));
    HttpResponse<String> health = send("GET", "/actuator/health/spindle", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"worker\":\"spring@");
  }

  long jobs() {
    return admin.inspector().queueSummaries().stream()
        .mapToLong(q -> q.counts().values().stream().mapToLong(Long::longValue).sum()).sum();
  }
}
