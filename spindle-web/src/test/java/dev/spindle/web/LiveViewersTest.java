package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 50 Server-Sent-Events viewers share one store snapshot per tick: counted, not estimated. */
class LiveViewersTest {
  @TempDir
  Path dir;

  /** Counts every call made to the store. */
  static JobStore counting(JobStore real, AtomicLong calls) {
    return (JobStore) Proxy.newProxyInstance(LiveViewersTest.class.getClassLoader(),
        new Class<?>[] {JobStore.class, JobInspector.class, QueueControl.class, AuditLog.class}, (p, m, args) -> {
          if (m.getName().equals("inspector") && m.getParameterCount() == 0) {
            return p; // the inspector is the counting proxy too
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
  void fiftyViewersCostOneSnapshotPerTick() {
    AtomicLong calls = new AtomicLong();
    try (SqliteJobStore real = SqliteJobStore.open(dir.resolve("live.db"));
         WebFixture f = new WebFixture(counting(real, calls))) {
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
      // every viewer got >= 10 more stats events; the store was read once per tick for all of them
      assertThat(snapshots).isBetween(10L, 14L);
      // per snapshot: workers, paused queues, finished feed, plus the queue counts when due (every
      // tick unless counting is slow, then less often); a tick in flight at either edge of the window
      // may be counted on one side only. Never per viewer: 50 viewers would make it hundreds.
      assertThat(storeCalls).isBetween(3 * snapshots - 4, 4 * snapshots + 4);
      System.out.printf("50 viewers: %d ticks, %d snapshots, %d store calls (%.1f per tick)%n", snapshots,
          snapshots, storeCalls, (double) storeCalls / snapshots);
      streams.forEach(s -> s.join().body().close());
    }
  }
}
