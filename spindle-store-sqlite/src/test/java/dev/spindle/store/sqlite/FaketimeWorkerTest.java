package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.WorkerRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker <em>process</em> whose clock is skewed by libfaketime
 * ({@code faketime -f -60s java ...}, so its JVM and its in-process SQLite library both read the
 * shifted clock). The SQLite store reads the host kernel's clock by a system call that libfaketime
 * does not intercept, so the slow worker keeps its leases, and a dead fast worker's jobs come back
 * after the normal lease. A healthy worker in this JVM (real clock, another queue) reclaims expired
 * leases every 200 ms throughout. {@code faketime} comes from Debian's package
 * ({@code bin/ensure-faketime.sh}, run by {@code ./run-tests}; or {@code $SPINDLE_FAKETIME}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FaketimeWorkerTest {
  private static final int JOBS = 16;
  private static final long LEASE_MS = 2000;

  @TempDir
  Path dir;

  private static String faketime() {
    String env = System.getenv("SPINDLE_FAKETIME");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return env;
    }
    for (String p : List.of("/usr/bin/faketime", "/usr/local/bin/faketime")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError("faketime (libfaketime) is needed: run ./run-tests, which installs Debian's faketime "
        + "package, or set SPINDLE_FAKETIME");
  }

  private Process startChild(String offset, Path db, Path log, int concurrency) throws Exception {
    removeStaleFaketimeObjects();
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(faketime(), "-f", offset, java, "--enable-native-access=ALL-UNNAMED",
        "-Dkill.log=" + log, "-cp", System.getProperty("java.class.path"), ChildWorker.class.getName(),
        db.toString(), Integer.toString(concurrency), Long.toString(LEASE_MS), "200")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("child worker started").startsWith("READY");
    return p;
  }

  /**
   * {@code kill -9} of the worker JVM ({@code faketime} runs it as its child); faketime then exits on
   * its own and removes its semaphore and shared memory (named after its pid). Killed too, it left
   * them in /dev/shm, and a later faketime given the same pid refused to start ("sem_open: File
   * exists").
   */
  private static void kill9(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** Removes what killed faketime wrappers (of earlier runs) left in /dev/shm: their pids may be given again. */
  private static void removeStaleFaketimeObjects() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm)) {
      return;
    }
    try (Stream<Path> files = Files.list(shm)) {
      for (Path f : files.toList()) {
        Matcher m = FAKETIME_OBJECT.matcher(f.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static final Pattern FAKETIME_OBJECT = Pattern.compile("(?:sem\\.faketime_sem|faketime_shm)_(\\d+)");

  private static Worker reclaimer(SqliteJobStore store) {
    return Worker.builder(store).registry(TaskRegistry.of(KillTestTasks.class)).queues("elsewhere").concurrency(1)
        .leaseDuration(Duration.ofMillis(LEASE_MS)).heartbeatInterval(Duration.ofMillis(200)).name("healthy")
        .start();
  }

  private static WorkerRecord child(SqliteJobStore store) {
    return store.inspector().workers().stream().filter(w -> w.name().equals("child")).findFirst().orElse(null);
  }

  @Test
  void aWorkerProcessSixtySecondsSlowKeepsItsHealthyJobs() throws Exception {
    Path db = dir.resolve("jobs.db");
    Path log = dir.resolve("starts.log");
    Process p = null;
    try (SqliteJobStore store = SqliteJobStore.open(db);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(KillTestTasks.class)).build();
         Worker healthy = reclaimer(store)) {
      p = startChild("-60s", db, log, JOBS);
      // each job works 3 s: longer than the 2 s lease, so only heartbeats keep it
      q.enqueueAll(KillTestTasks.WORK, Collections.nCopies(JOBS, 3000L), JobOptions.defaults());
      WorkerRecord rec = await().atMost(Duration.ofSeconds(20)).until(() -> child(store),
          r -> r != null && r.clockSkew() != null);
      assertThat(rec.clockSkew().plusSeconds(60).abs()).as("the child's clock really is 60 s slow: %s",
          rec.clockSkew()).isLessThan(Duration.ofSeconds(2));
      await().atMost(Duration.ofSeconds(60)).until(() -> store.inspector().listJobs(
          JobFilter.all().withState(JobState.SUCCEEDED).withLimit(100)).size() == JOBS);
      List<JobInfo> all = store.inspector().listJobs(JobFilter.all().withLimit(100));
      assertThat(all).hasSize(JOBS).allSatisfy(j -> {
        assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(j.workerLost()).as("lost-worker strikes of job %s", j.id()).isZero();
        assertThat(j.attempt()).as("attempts of job %s", j.id()).isEqualTo(1);
      });
      assertThat(Files.readAllLines(log)).as("each job started once").hasSize(JOBS);
    } finally {
      if (p != null) {
        kill9(p);
      }
    }
  }

  @Test
  void aKilledWorkerProcessAnHourFastLosesItsJobsAfterTheNormalLease() throws Exception {
    Path db = dir.resolve("jobs.db");
    Path log = dir.resolve("starts.log");
    Process p = null;
    try (SqliteJobStore store = SqliteJobStore.open(db);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(KillTestTasks.class)).build();
         Worker healthy = reclaimer(store)) {
      p = startChild("+1h", db, log, 4);
      q.enqueueAll(KillTestTasks.WORK, Collections.nCopies(4, 600_000L), JobOptions.defaults());
      await().atMost(Duration.ofSeconds(20)).until(() -> store.inspector().listJobs(
          JobFilter.all().withState(JobState.RUNNING).withLimit(100)).size() == 4);
      WorkerRecord rec = child(store);
      assertThat(rec.clockSkew().minusHours(1).abs()).as("the child's clock really is an hour fast: %s",
          rec.clockSkew()).isLessThan(Duration.ofSeconds(2));
      kill9(p);
      Instant killed = store.storeTime();
      List<JobInfo> back = new ArrayList<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        back.clear();
        back.addAll(store.inspector().listJobs(JobFilter.all().withState(JobState.QUEUED).withLimit(100)));
        return back.size() == 4;
      });
      Duration took = Duration.between(killed, store.storeTime());
      assertThat(took).as("reclaimed after about one lease, not an hour").isLessThan(Duration.ofSeconds(15));
      assertThat(back).allSatisfy(j -> assertThat(j.workerLost()).isEqualTo(1));
      WorkerRecord gone = child(store);
      assertThat(gone == null || !gone.isAlive(store.storeTime())).as("the dead worker does not show as alive")
          .isTrue();
    } finally {
      if (p != null) {
        kill9(p);
      }
    }
  }
}
