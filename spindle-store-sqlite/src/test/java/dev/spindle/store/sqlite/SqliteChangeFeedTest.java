package dev.spindle.store.sqlite;

import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite store's change feed: commits made through another store on the same file (another
 * process's, as far as this one can tell) wake this store's listeners, and keep doing so after a
 * listener failed with an {@link Error}. Real files, two stores.
 */
class SqliteChangeFeedTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private static NewJob job(String args) {
    return new NewJob("t.echo", args, JobOptions.DEFAULT_QUEUE, 0, NOW, null, JobPolicy.defaults(), NOW);
  }

  @Test
  void anotherStoresCommitWakesTheListeners() {
    Path file = dir.resolve("jobs.db");
    try (SqliteJobStore watched = SqliteJobStore.open(file); SqliteJobStore other = SqliteJobStore.open(file)) {
      AtomicInteger woken = new AtomicInteger();
      try (Subscription s = watched.subscribe(woken::incrementAndGet)) {
        // a commit before the feed's first poll is its baseline, not a change: commit until one is seen
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          other.enqueue(List.of(job("1")));
          return woken.get() > 0;
        });
      }
    }
  }

  @Test
  void aListenersErrorDoesNotStopTheFeed() {
    Path file = dir.resolve("jobs.db");
    try (SqliteJobStore watched = SqliteJobStore.open(file); SqliteJobStore other = SqliteJobStore.open(file)) {
      AtomicInteger calls = new AtomicInteger();
      AtomicInteger afterSecond = new AtomicInteger();
      AtomicBoolean secondCommitted = new AtomicBoolean();
      Runnable failsFirst = () -> {
        if (calls.incrementAndGet() == 1) {
          throw new AssertionError("a listener's bug");
        }
        if (secondCommitted.get()) {
          afterSecond.incrementAndGet();
        }
      };
      try (Subscription s = watched.subscribe(failsFirst)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          other.enqueue(List.of(job("1")));
          return calls.get() >= 1;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          other.enqueue(List.of(job("2")));
          secondCommitted.set(true);
          return afterSecond.get() > 0;
        });
      }
    }
  }
}
