package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.web.internal.LiveStats;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * With 10,000 queues, a live-update ({@code stats}) event stays small: it carries the totals and the
 * queues that changed, at most {@link LiveStats#MAX_EVENT_QUEUES} of them, however many queues there
 * are (a full list was 1.77 MB per viewer per tick); more changes than that arrive over the next
 * ticks. Over a real SSE stream from a dashboard on SQLite.
 */
class LiveEventSizeTest {
  static final int QUEUES = 10_000;
  /** The bound asserted on every stats event, in characters of its data line. */
  static final int MAX_EVENT_CHARS = 64 * 1024;

  @TempDir
  Path dir;

  private static String queue(int i) {
    return String.format(Locale.ROOT, "queue-%05d", i);
  }

  private static void enqueue(SqliteJobStore store, List<Integer> queues) {
    Instant now = Instant.now();
    List<NewJob> jobs = new ArrayList<>();
    for (int i : queues) {
      jobs.add(new NewJob("t.size", "1", queue(i), 0, now, null, JobPolicy.defaults(), now));
    }
    store.enqueue(jobs);
  }

  @Test
  void aStatsEventStaysBoundedWithTenThousandQueuesAndStillCarriesEveryChange() {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("queues.db"));
         WebFixture f = new WebFixture(store)) {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < QUEUES; i++) {
        all.add(i);
      }
      enqueue(store, all);
      // the status document lists every queue: the stats event was this document before it was bounded
      String status = f.get("/api/v1/status", WebFixture.VIEWER_TOKEN).body();
      assertThat(WebFixture.JSON.readTree(status).get("queues").size()).isEqualTo(QUEUES);
      List<String> data = new CopyOnWriteArrayList<>();
      CompletableFuture<HttpResponse<Stream<String>>> stream = f.http.sendAsync(f.request("/api/v1/events",
          WebFixture.VIEWER_TOKEN).header("Accept", "text/event-stream").GET().build(),
          HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
            Thread.ofVirtual().start(() -> {
              boolean stats = false;
              for (String line : (Iterable<String>) r.body()::iterator) {
                if (line.startsWith("event: ")) {
                  stats = line.equals("event: stats");
                } else if (stats && line.startsWith("data: ")) {
                  data.add(line.substring(6));
                }
              }
            });
            return r;
          });
      await().atMost(Duration.ofSeconds(60)).until(() -> data.size() >= 2); // the first event and a tick's
      JsonNode first = WebFixture.JSON.readTree(data.get(0));
      assertThat(first.get("queueCount").asInt()).isEqualTo(QUEUES);
      assertThat(first.get("totals").get("QUEUED").asLong()).isEqualTo(QUEUES);
      // 250 queues change at once: each event carries at most the cap, the rest follow
      List<Integer> changed = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        changed.add(QUEUES - 1 - i * 37);
      }
      enqueue(store, changed);
      Set<String> expected = new HashSet<>();
      changed.forEach(i -> expected.add(queue(i)));
      Set<String> received = new HashSet<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        received.clear();
        for (String d : data) {
          for (JsonNode q : WebFixture.JSON.readTree(d).get("queues")) {
            if (q.get("waiting").asInt() == 2) {
              received.add(q.get("name").asString());
            }
          }
        }
        return received.equals(expected);
      });
      int largest = data.stream().mapToInt(String::length).max().orElseThrow();
      System.out.printf(Locale.ROOT, "stats events with %,d queues: first %,d chars, largest %,d chars (%d events);"
          + " every queue listed: %,d chars%n", QUEUES, data.get(0).length(), largest, data.size(), status.length());
      for (String d : data) {
        assertThat(d.length()).as("a stats event's size with %,d queues", QUEUES).isLessThan(MAX_EVENT_CHARS);
        JsonNode e = WebFixture.JSON.readTree(d);
        assertThat(e.get("queues").size()).isLessThanOrEqualTo(LiveStats.MAX_EVENT_QUEUES);
        assertThat(e.get("queueCount").asInt()).isEqualTo(QUEUES);
      }
      assertThat(data.stream().map(d -> WebFixture.JSON.readTree(d).get("queuesOmitted").asInt()))
          .as("changes beyond the cap are announced, then sent").contains(150).endsWith(0);
      stream.join().body().close();
    }
  }
}
