package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spindle status} on a real SQLite file: queues, and who is alive, since when, running what. */
class StatusCommandTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  @TempDir
  Path dir;

  @Test
  void showsEachWorkersUptimeAndTheTasksItRuns() {
    try (StoreBackend store = JobStores.open("sqlite:" + dir.resolve("jobs.db"))) {
      Instant started = T0.minus(Duration.ofMinutes(5));
      store.heartbeat(new WorkerRecord("w1@host:42#a", "w1", "host", 42, List.of("default"), 4, "THREADS", "RUNNING",
          started, T0, T0.plusSeconds(30), 3, 10, 1, 2.5));
      store.enqueue(List.of(job("primes.check", "1"), job("primes.check", "2"), job("demo.greet", "\"x\""),
          job("primes.check", "3")));
      assertThat(store.claim(new ClaimRequest("w1@host:42#a", List.of("default"), 3, T0)).jobs()).hasSize(3);

      // leases and times are on the store's clock: the worker's T0 was moved onto it
      String out = print(store, store.storeTime().plusSeconds(1));

      assertThat(out).contains("WORKERS: 1 alive");
      String row = out.lines().filter(l -> l.startsWith("w1@host:42#a")).findFirst().orElseThrow();
      assertThat(row).contains("threads", "default", "3/4", "5m", "RUNNING", "demo.greet, primes.check x2");
      assertThat(row).as("the worker's clock skew: T0 is far from now").containsPattern("[+-][0-9.]+s!");
      assertThat(out).contains("clock: worker w1@host:42#a is");
      assertThat(out).contains("default").contains("throughput: 2.5 jobs/s");
    }
  }

  @Test
  void namesTheWaitingJobsWhoseTaskNoLiveWorkerOfTheirQueueKnowsInTextAndJson() {
    try (StoreBackend store = JobStores.open("sqlite:" + dir.resolve("jobs.db"))) {
      store.heartbeat(new WorkerRecord("old@host:1#a", "old", "host", 1, List.of("default"), 4, "THREADS", "RUNNING",
          T0, T0, T0.plusSeconds(30), 0, 0, 0, 0, null, Set.of("demo.greet")));
      store.enqueue(List.of(job("demo.greet", "\"x\""), job("report.build", "1"), job("report.build", "2")));
      Instant now = store.storeTime().plusSeconds(1);

      String out = print(store, now);
      assertThat(out).contains("UNROUTABLE: waiting jobs whose task no live worker of their queue knows");
      String row = out.lines().filter(l -> l.contains("report.build")).findFirst().orElseThrow();
      assertThat(row).contains("default").containsPattern("\\s2$");
      assertThat(out.lines().filter(l -> l.contains("demo.greet") && l.startsWith("  default"))).isEmpty();

      var json = StatusCommand.json(store, store.inspector(), now);
      assertThat(json.get("unroutable")).hasSize(1);
      assertThat(json.get("unroutable").get(0).get("queue").asString()).isEqualTo("default");
      assertThat(json.get("unroutable").get(0).get("task").asString()).isEqualTo("report.build");
      assertThat(json.get("unroutable").get(0).get("waiting").asLong()).isEqualTo(2);
      assertThat(print(store, now.plusSeconds(60))).as("no live worker: the ordinary case, not this sign")
          .doesNotContain("UNROUTABLE");
    }
  }

  private static NewJob job(String task, String args) {
    return new NewJob(task, args, "default", 0, T0, null, JobPolicy.defaults(), T0);
  }

  private static String print(StoreBackend store, Instant now) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    StatusCommand.print(out, store, store.inspector(), now);
    return buf.toString(StandardCharsets.UTF_8);
  }
}
