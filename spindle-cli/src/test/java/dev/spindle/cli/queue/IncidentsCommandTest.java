package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.cli.CliRun;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./spindle incidents}: a stalled queue found by {@code check} (a job ready for a second,
 * a live worker with free slots, nothing claiming) is stored, alerted once to a local receiver,
 * listed and shown, not alerted again by the next check, and resolved once the job is claimed.
 */
class IncidentsCommandTest {
  private static final String SECRET_PATH = "/hook/s3cr3t-t0ken";

  @TempDir
  Path dir;

  private HttpServer receiver;
  private final List<String> posts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(SECRET_PATH, exchange -> {
      posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void aStalledQueueIsRaisedAlertedOnceListedAndResolved() throws IOException {
    Path db = dir.resolve("jobs.db");
    String store = "sqlite:" + db;
    Path alerts = dir.resolve("alerts.properties");
    Files.writeString(alerts, "webhook.ops.url = http://127.0.0.1:" + receiver.getAddress().getPort() + SECRET_PATH
        + "\n");
    try (StoreBackend s = SqliteJobStore.builder(db).open()) {
      Instant now = s.storeTime();
      s.enqueue(List.of(new NewJob("t.stuck", "{}", "default", 0, now, null, JobPolicy.defaults(), now)));
      s.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 4, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
    }
    assertThat(CliRun.of("incidents", "list", "--store", store).out()).contains("(no incidents)");

    String[] checkArgs = {"incidents", "check", "--claim-stall", "1s", "--alerts", alerts.toString(), "--store", store};
    // the job is ready at once; a check raises the incident once it has waited 1 s unclaimed
    CliRun check = await().atMost(Duration.ofSeconds(30)).until(() -> CliRun.of(checkArgs),
        r -> r.code() != 0 || !r.out().contains("no open incidents"));
    assertThat(check.code()).as(check.err()).isEqualTo(IncidentsCommand.OPEN);
    assertThat(check.out()).contains("opened   #1  STALLED_QUEUE on queue default").contains("1 open incident(s)");
    assertThat(posts).singleElement().satisfies(p -> assertThat(p).contains("incident.opened")
        .contains("stalled queue"));
    assertThat(check.out() + check.err()).doesNotContain("s3cr3t");

    CliRun again = CliRun.of(checkArgs);
    assertThat(again.code()).isEqualTo(IncidentsCommand.OPEN);
    assertThat(again.out()).doesNotContain("opened").contains("1 open incident(s)");
    assertThat(posts).as("one alert per incident").hasSize(1);

    assertThat(CliRun.of("incidents", "list", "--open", "--store", store).out())
        .contains("#1  OPEN      STALLED_QUEUE on queue default");
    assertThat(CliRun.of("incidents", "list", "--json", "--store", store).out())
        .contains("\"kind\":\"STALLED_QUEUE\"").contains("\"open\":true");
    assertThat(CliRun.of("incidents", "show", "1", "--store", store).out()).contains("kind       STALLED_QUEUE")
        .contains("queue      default");
    CliRun missing = CliRun.of("incidents", "show", "99", "--store", store);
    assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(missing.err()).contains("no incident #99");

    try (StoreBackend s = SqliteJobStore.builder(db).open()) {
      assertThat(s.claim(new ClaimRequest("w1", List.of("default"), 1, s.storeTime())).jobs()).hasSize(1);
    }
    CliRun resolved = CliRun.of(checkArgs);
    assertThat(resolved.code()).as(resolved.err()).isZero();
    assertThat(resolved.out()).contains("resolved #1").contains("no open incidents");
    assertThat(posts).hasSize(2);
    assertThat(posts.get(1)).contains("incident.resolved");
  }

  @Test
  void readingAMissingStoreCreatesNothingAndBadOptionsAreUsageErrors() {
    Path db = dir.resolve("none.db");
    CliRun list = CliRun.of("incidents", "list", "--store", "sqlite:" + db);
    assertThat(list.code()).isEqualTo(ExitCode.NO_STORE.code());
    assertThat(db).doesNotExist();
    assertThat(CliRun.of("incidents", "check", "--claim-stall", "0s", "--store", "sqlite:" + db).code())
        .isEqualTo(ExitCode.USAGE.code());
    CliRun worker = CliRun.of("worker", "--alerts", dir.resolve("a.properties").toString(), "--store", "sqlite:" + db);
    assertThat(worker.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(worker.err()).contains("--alerts names where a stall detector's incidents go: add --detect-stalls");
    assertThat(db).doesNotExist();
  }
}
