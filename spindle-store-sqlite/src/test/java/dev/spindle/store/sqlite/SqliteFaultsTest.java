package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SQLite store does when the database misbehaves: locked by another process, full, read-only,
 * damaged, oversized payloads, calls from virtual threads, several processes on one file, restarts.
 * Every case uses a real database file and a real second connection; nothing is mocked.
 */
class SqliteFaultsTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private static NewJob job(String args) {
    return new NewJob("t.echo", args, JobOptions.DEFAULT_QUEUE, 0, NOW, null, JobPolicy.defaults(), NOW);
  }

  private static Connection raw(Path file) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  private static long count(SqliteJobStore s) {
    return s.inspector().listJobs(JobFilter.all().withLimit(1_000_000)).size();
  }

  @Test
  void aDatabaseLockedLongerThanTheBusyTimeoutFailsClearlyAndWritesNothing() throws Exception {
    Path f = dir.resolve("locked.db");
    try (SqliteJobStore store = SqliteJobStore.builder(f).busyTimeout(Duration.ofMillis(300)).open();
         Connection other = raw(f); Statement st = other.createStatement()) {
      store.enqueue(List.of(job("1")));
      st.execute("BEGIN EXCLUSIVE");
      assertThatThrownBy(() -> store.enqueue(List.of(job("2")))).isInstanceOf(StoreException.class)
          .hasMessageContaining("locked").hasMessageContaining("nothing was written")
          .satisfies(e -> {
            assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.BUSY);
            assertThat(((StoreException) e).isTransient()).isTrue();
          });
      st.execute("COMMIT");
      store.enqueue(List.of(job("3")));
      assertThat(store.inspector().listJobs(JobFilter.all())).extracting(JobInfo::argsJson).containsExactly("3", "1");
    }
  }

  @Test
  void aWriteWaitsForABriefLockAndThenSucceeds() throws Exception {
    Path f = dir.resolve("brief.db");
    try (SqliteJobStore store = SqliteJobStore.builder(f).busyTimeout(Duration.ofSeconds(30)).open();
         Connection other = raw(f); Statement st = other.createStatement()) {
      st.execute("BEGIN EXCLUSIVE");
      AtomicReference<Thread> writer = new AtomicReference<>();
      CompletableFuture<String> done = CompletableFuture.supplyAsync(() -> {
        writer.set(Thread.currentThread());
        return store.enqueue(List.of(job("waited"))).get(0).jobId();
      }, r -> Thread.ofPlatform().start(r));
      await().atMost(Duration.ofSeconds(10)).until(() -> writer.get() != null
          && writer.get().getState() == Thread.State.TIMED_WAITING);
      assertThat(done).isNotDone();
      st.execute("COMMIT");
      String id = done.get(30, TimeUnit.SECONDS);
      assertThat(store.find(id)).map(JobInfo::argsJson).contains("waited");
    }
  }

  @Test
  void aFullDatabaseFailsClearlyKeepsEveryCommittedJobAndStaysIntact() throws Exception {
    Path f = dir.resolve("full.db");
    String big = "\"" + "x".repeat(2000) + "\"";
    long stored = 0;
    StoreException failure = null;
    try (SqliteJobStore store = SqliteJobStore.builder(f).maxDatabaseBytes(400 * 1024).open()) {
      for (int i = 0; i < 1000 && failure == null; i++) {
        List<NewJob> batch = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
          batch.add(job(big));
        }
        try {
          store.enqueue(batch);
          stored += batch.size();
        } catch (StoreException e) {
          failure = e;
        }
      }
      assertThat(failure).as("the database filled up").isNotNull();
      assertThat(failure.reason()).isEqualTo(StoreException.Reason.DISK_FULL);
      assertThat(failure).hasMessageContaining("rolled back").hasMessageContaining("nothing stored was lost");
      assertThat(count(store)).as("every acknowledged job, nothing of the failed batch").isEqualTo(stored);
      // the store keeps working for reads and for transitions that need no new pages
      List<JobInfo> claimed = store.claim(new ClaimRequest("w", List.of("default"), 1, NOW)).jobs();
      assertThat(claimed).hasSize(1);
    }
    try (Connection c = raw(f); ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(count(store)).isEqualTo(stored);
      store.enqueue(List.of(job("\"after\"")));
      assertThat(count(store)).isEqualTo(stored + 1);
    }
  }

  @Test
  void aReadOnlyDatabaseFileCanBeReadButWritesFailClearly() throws Exception {
    Path f = dir.resolve("ro.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1"), job("2")));
    }
    assertThat(Files.exists(dir.resolve("ro.db-wal"))).as("WAL checkpointed and removed on close").isFalse();
    makeReadOnly(f);
    try {
      try (SqliteJobStore store = SqliteJobStore.open(f)) {
        assertThat(count(store)).isEqualTo(2);
        assertThatThrownBy(() -> store.enqueue(List.of(job("3")))).isInstanceOf(StoreException.class)
            .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.READ_ONLY))
            .hasMessageContaining("read-only");
      }
    } finally {
      makeWritable(f);
    }
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(count(store)).as("nothing lost").isEqualTo(2);
      store.enqueue(List.of(job("3")));
      assertThat(count(store)).isEqualTo(3);
    }
  }

  /** Read-only for this user; as root, permissions do not bind, so the file is made immutable too. */
  private static void makeReadOnly(Path f) throws IOException, InterruptedException {
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
    if ("root".equals(System.getProperty("user.name"))) {
      Process p = new ProcessBuilder("chattr", "+i", f.toString()).inheritIO().start();
      assertThat(p.waitFor()).as("chattr +i (root ignores file permissions; the test needs an immutable file)")
          .isZero();
    }
  }

  private static void makeWritable(Path f) throws IOException, InterruptedException {
    if ("root".equals(System.getProperty("user.name"))) {
      new ProcessBuilder("chattr", "-i", f.toString()).inheritIO().start().waitFor();
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
  }

  @Test
  void aFileThatIsNotADatabaseIsReportedAsDamaged() throws Exception {
    Path f = dir.resolve("garbage.db");
    Files.writeString(f, "this is not a SQLite database, just text long enough to fill a header............."
        .repeat(20));
    assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CORRUPT))
        .hasMessageContaining("not a SQLite database");
    assertThat(Files.readString(f)).startsWith("this is not a SQLite database");
  }

  @Test
  void aMissingDirectoryIsCreatedAndAnUnusablePathIsReported() throws Exception {
    Path deep = dir.resolve("a/b/c/jobs.db");
    try (SqliteJobStore store = SqliteJobStore.open(deep)) {
      store.enqueue(List.of(job("1")));
    }
    Path blocker = dir.resolve("file");
    Files.writeString(blocker, "x");
    assertThatThrownBy(() -> SqliteJobStore.open(blocker.resolve("jobs.db"))).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN));
  }

  @Test
  void oversizedArgumentsAreRefusedAndOversizedResultsFailTheJob() {
    try (SqliteJobStore store = SqliteJobStore.builder(dir.resolve("size.db")).maxPayloadBytes(1024).open()) {
      String big = "\"" + "é".repeat(600) + "\"";
      assertThatThrownBy(() -> store.enqueue(List.of(job("1"), job(big)))).isInstanceOf(PayloadException.class)
          .hasMessageContaining("over the store's limit of 1024 bytes");
      assertThat(count(store)).as("the whole batch was refused").isZero();
      String id = store.enqueue(List.of(job("1"))).get(0).jobId();
      store.heartbeat(new WorkerRecord("w", "w", "h", 1, List.of("default"), 1, "THREADS", "RUNNING", NOW, NOW,
          NOW.plusSeconds(60), 0, 0, 0, 0));
      JobInfo c = store.claim(new ClaimRequest("w", List.of("default"), 1, NOW)).jobs().get(0);
      assertThat(store.complete(List.of(Completion.succeeded(id, c.fence(), "w", big)), NOW)).containsExactly(true);
      JobInfo j = store.find(id).orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.FAILED);
      assertThat(j.error().orElseThrow().type()).isEqualTo(PayloadException.class.getName());
      assertThat(j.resultJson()).isNull();
    }
  }

  @Test
  void callsFromVirtualThreadsRunOnPlatformThreads() throws Exception {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("virtual.db"))) {
      long before = store.offloadedCalls();
      AtomicReference<String> id = new AtomicReference<>();
      Thread vt = Thread.ofVirtual().start(() -> {
        id.set(store.enqueue(List.of(job("1"))).get(0).jobId());
        assertThat(store.find(id.get())).isPresent();
      });
      vt.join();
      assertThat(store.offloadedCalls() - before).isEqualTo(2);
      assertThat(store.find(id.get())).isPresent();
      store.find(id.get());
      assertThat(store.offloadedCalls() - before).as("platform callers run directly").isEqualTo(2);
    }
  }

  @Test
  void twoStoreInstancesOnOneFileSeeEachOthersCommitsPromptly() throws Exception {
    Path f = dir.resolve("shared.db");
    try (SqliteJobStore a = SqliteJobStore.open(f); SqliteJobStore b = SqliteJobStore.open(f)) {
      AtomicInteger signals = new AtomicInteger();
      Subscription sub = b.subscribe(signals::incrementAndGet);
      try {
        await().atMost(Duration.ofSeconds(5)).until(() -> {
          a.enqueue(List.of(job("ping")));
          return signals.get() > 0;
        });
      } finally {
        sub.close();
      }
      assertThat(b.claim(new ClaimRequest("wb", List.of("default"), 100, NOW)).jobs()).isNotEmpty();
    }
  }

  @Test
  void jobsSurviveARestartAndARunningJobOfADeadProcessIsReclaimed() {
    Path f = dir.resolve("restart.db");
    // leases are read on the store's clock, not the caller's: the test drives that clock, which both
    // processes share as they would share the host's (a restart keeps the clock, not the process)
    ManualClock hostClock = new ManualClock(NOW);
    String waiting;
    String running;
    try (SqliteJobStore store = SqliteJobStore.builder(f).clock(hostClock).open()) {
      running = store.enqueue(List.of(job("r"))).get(0).jobId();
      waiting = store.enqueue(List.of(job("w"))).get(0).jobId();
      store.heartbeat(new WorkerRecord("gone", "w", "h", 1, List.of("default"), 1, "THREADS", "RUNNING", NOW, NOW,
          NOW.plusSeconds(10), 0, 0, 0, 0));
      assertThat(store.claim(new ClaimRequest("gone", List.of("default"), 1, NOW)).jobs()).extracting(JobInfo::id)
          .containsExactly(running);
    }
    hostClock.advance(Duration.ofSeconds(5));
    try (SqliteJobStore store = SqliteJobStore.builder(f).clock(hostClock).open()) {
      assertThat(store.find(waiting).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      assertThat(store.find(running).orElseThrow().state()).isEqualTo(JobState.RUNNING);
      assertThat(store.reclaimExpired(hostClock.instant(), 10)).as("the dead process's lease runs 5 s more")
          .isEmpty();
      hostClock.advance(Duration.ofSeconds(6));
      assertThat(store.reclaimExpired(hostClock.instant(), 10)).extracting(JobInfo::id).containsExactly(running);
      assertThat(store.find(running).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }
  }

  @Test
  void theDurabilitySettingIsApplied() throws Exception {
    Path f = dir.resolve("full-sync.db");
    try (SqliteJobStore store = SqliteJobStore.builder(f).durability(SqliteJobStore.Durability.FULL).open()) {
      store.enqueue(List.of(job("1")));
      assertThat(store.durability()).isEqualTo(SqliteJobStore.Durability.FULL);
    }
    try (Connection c = raw(f); ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void locationsOpenThroughTheProvider() {
    Path f = dir.resolve("via-uri.db");
    try (var store = dev.spindle.queue.JobStores.open("sqlite:" + f + "?durability=full&busyTimeoutMs=500")) {
      assertThat(store).isInstanceOf(SqliteJobStore.class);
      assertThat(((SqliteJobStore) store).durability()).isEqualTo(SqliteJobStore.Durability.FULL);
      assertThat(store.describe()).isEqualTo("sqlite:" + f.toAbsolutePath());
    }
    try (var store = dev.spindle.queue.JobStores.open(dir.resolve("bare-path.db").toString())) {
      assertThat(store).isInstanceOf(SqliteJobStore.class);
    }
    assertThatThrownBy(() -> dev.spindle.queue.JobStores.open("sqlite:" + f + "?nope=1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown parameter 'nope'");
    assertThatThrownBy(() -> dev.spindle.queue.JobStores.open("redis://127.0.0.1:1")).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("spindle-store-redis");
  }
}
