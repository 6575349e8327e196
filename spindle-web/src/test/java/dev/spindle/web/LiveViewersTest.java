package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.redis.RedisServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 Server-Sent-Events viewers share one store call per tick, on SQLite and on a real
 * redis-server: counted through a proxy around the store, not estimated.
 */
class LiveViewersTest {
  @TempDir
  Path dir;

  /** Counts every call made to the store. */
  static StoreBackend counting(StoreBackend real, AtomicLong calls) {
    return (StoreBackend) Proxy.newProxyInstance(LiveViewersTest.class.getClassLoader(),
        new Class<?>[] {StoreBackend.class, JobInspector.class, QueueControl.class, AuditLog.class,
            JobStatistics.class},
        (p, m, args) -> {
          if (Set.of("inspector", "control", "auditLog").contains(m.getName()) && m.getParameterCount() == 0) {
            return p; // the store's typed views are the counting proxy too
          }
          if (m.getName().equals("statistics") && m.getParameterCount() == 0) {
            return Optional.of(p);
          }
          if (m.getDeclaringClass() != Object.class) {
            calls.incrementAndGet();
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void refusedRequestsDoNotMakeTheNextViewReadTheStoreAgain() {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("refused.db"));
         WebFixture f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store))
             .tick(Duration.ofMinutes(1)))) {
      assertThat(f.get("/api/v1/status", WebFixture.VIEWER_TOKEN).statusCode()).isEqualTo(200);
      long reads = f.dashboard.storeSnapshots();
      assertThat(f.get("/api/v1/status", WebFixture.VIEWER_TOKEN).statusCode()).isEqualTo(200);
      assertThat(f.dashboard.storeSnapshots()).as("a second view within the tick").isEqualTo(reads);
      for (int i = 0; i < 3; i++) { // no credentials, a viewer, a job that is not there: nothing changes
        assertThat(f.post("/api/v1/jobs/purge", null, "{}").statusCode()).isEqualTo(401);
        assertThat(f.post("/api/v1/jobs/purge", WebFixture.VIEWER_TOKEN, "{}").statusCode()).isEqualTo(403);
        assertThat(f.post("/api/v1/jobs/99/retry", WebFixture.OPERATOR_TOKEN, "").statusCode()).isEqualTo(404);
      }
      assertThat(f.get("/api/v1/status", WebFixture.VIEWER_TOKEN).statusCode()).isEqualTo(200);
      assertThat(f.dashboard.storeSnapshots()).as("views after refused changes").isEqualTo(reads);
      assertThat(f.post("/api/v1/jobs", WebFixture.OPERATOR_TOKEN, "{\"task\":\"a\"}").statusCode()).isEqualTo(202);
      assertThat(f.get("/api/v1/status", WebFixture.VIEWER_TOKEN).statusCode()).isEqualTo(200);
      assertThat(f.dashboard.storeSnapshots()).as("the view after a change").isEqualTo(reads + 1);
    }
  }

  @Test
  void fiftyViewersCostOneStoreCallPerTickOnSqlite() {
    try (SqliteJobStore real = SqliteJobStore.open(dir.resolve("live.db"))) {
      fiftyViewers(real);
    }
  }

  @Test
  void fiftyViewersCostOneStoreCallPerTickOnRedis() {
    try (RedisServer redis = RedisServer.builder().appendOnly(false).start();
         StoreBackend real = JobStores.open(redis.url() + "/0?namespace=live")) {
      fiftyViewers(real);
    }
  }

  private void fiftyViewers(StoreBackend real) {
    AtomicLong calls = new AtomicLong();
    try (WebFixture f = new WebFixture(counting(real, calls))) {
      f.post("/api/v1/jobs", WebFixture.OPERATOR_TOKEN, "{\"task\":\"a\",\"queue\":\"q\"}");
      int viewers = 50;
      List<AtomicInteger> received = new ArrayList<>();
      List<CompletableFuture<HttpResponse<Stream<String>>>> streams = new ArrayList<>();
      for (int i = 0; i < viewers; i++) {
        AtomicInteger n = new AtomicInteger();
        received.add(n);
        streams.add(f.http.sendAsync(f.request("/api/v1/events", WebFixture.VIEWER_TOKEN)
            .header("Accept", "text/event-stream").GET().build(),
            HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
              Thread.ofVirtual().start(() -> r.body().forEach(line -> {
                if (line.equals("event: stats")) {
                  n.incrementAndGet();
                }
              }));
              return r;
            }));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> f.dashboard.liveViewers() == viewers
          && received.stream().allMatch(n -> n.get() >= 2));
      long snapshots0 = f.dashboard.storeSnapshots();
      long calls0 = calls.get();
      int[] seen0 = received.stream().mapToInt(AtomicInteger::get).toArray();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (int i = 0; i < viewers; i++) {
          if (received.get(i).get() < seen0[i] + 10) {
            return false;
          }
        }
        return true;
      });
      long snapshots = f.dashboard.storeSnapshots() - snapshots0;
      long storeCalls = calls.get() - calls0;
      // every viewer got >= 10 more stats events; the store was read once per tick for all of them (a
      // loaded machine may need a few more ticks before the slowest viewer has read its 10; per viewer
      // it would be 500 or more)
      assertThat(snapshots).isBetween(10L, 40L);
      // per snapshot one call, StoreAdmin.liveView: workers, paused queues, finished feed, the last hour's
      // statistics, the per-queue counts and the oldest waiting job in one read transaction; a refresh
      // in flight at either edge of the window may be counted on one side only
      assertThat(storeCalls).isBetween(snapshots - 1, snapshots + 1);
      System.out.printf("%s, 50 viewers: %d snapshots, %d store calls (%.1f per tick)%n", real.describe(),
          snapshots, storeCalls, (double) storeCalls / snapshots);
      streams.forEach(s -> s.join().body().close());
    }
  }

  @Test
  void jobsFinishedSinceTheLastTickReachViewersAsOneEvent() {
    try (SqliteJobStore real = SqliteJobStore.open(dir.resolve("feed.db"));
         WebFixture f = new WebFixture(real)) {
      List<String> lines = new CopyOnWriteArrayList<>();
      CompletableFuture<HttpResponse<Stream<String>>> stream = f.http.sendAsync(f.request("/api/v1/events",
          WebFixture.VIEWER_TOKEN).header("Accept", "text/event-stream").GET().build(),
          HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
            Thread.ofVirtual().start(() -> r.body().forEach(lines::add));
            return r;
          });
      await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("event: stats"));
      Instant now = Instant.now();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(real.enqueue(List.of(new NewJob("t.feed", "1", "q", 0, now, null,
            JobPolicy.defaults(), now))).get(0).jobId());
      }
      real.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("q"), 3, "THREADS",
          "RUNNING", now, now, now.plusSeconds(600), 0, 0, 0, 0));
      List<Completion> done = new ArrayList<>();
      for (JobInfo j : real.claim(new ClaimRequest("w1", List.of("q"), 3,
          now)).jobs()) {
        done.add(Completion.succeeded(j.id(), j.fence(), "w1", "2"));
      }
      real.complete(done, now);
      // one "jobs" event names all three (they finished before one tick), not one event per job
      await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("data: [")
          && ids.stream().allMatch(id -> l.contains("\"id\":\"" + id + "\",\"state\":\"SUCCEEDED\""))));
      assertThat(lines).doesNotContain("event: job");
      stream.join().body().close();
    }
  }
}
