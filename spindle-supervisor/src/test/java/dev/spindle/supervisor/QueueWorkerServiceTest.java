package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.supervisor.queue.QueueWorkerService;
import dev.spindle.supervisor.testing.MasterProcess;
import dev.spindle.supervisor.testing.NapTasks;
import dev.spindle.supervisor.testing.Ps;
import dev.spindle.supervisor.testing.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable-queue workers under the supervisor, on a real SQLite file shared by the child JVMs. */
class QueueWorkerServiceTest {
  private static final Duration LONG = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private String location;
  private StoreBackend store;
  private JobQueue queue;
  private ServiceManager manager;
  private final Recorder events = new Recorder();

  @BeforeEach
  void openStore() {
    location = "sqlite:" + dir.resolve("jobs.db");
    store = JobStores.open(location);
    queue = JobQueue.builder(store).registry(TaskRegistry.of(NapTasks.class)).build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (manager != null) {
      manager.stopNow();
      assertThat(manager.awaitTermination(LONG)).isPresent();
    }
    queue.close();
    store.close();
  }

  private QueueWorkerService.Settings settings(long graceMs, long leaseMs) {
    return QueueWorkerService.Settings.of(location, TaskRegistry.of(NapTasks.class))
        .withConcurrency("threads", 2)
        .withTimings(Duration.ofMillis(graceMs), Duration.ofMillis(leaseMs), Duration.ofMillis(200));
  }

  private List<JobHandle<Long>> enqueue(int n, long ms) {
    return queue.enqueueAll(NapTasks.NAP, Collections.nCopies(n, ms), JobOptions.defaults());
  }

  private JobInfo info(JobHandle<?> h) {
    return store.find(h.id()).orElseThrow();
  }

  private static long pidOf(JobInfo running) {
    // worker ids read name@host:pid#random
    String w = running.workerId();
    return Long.parseLong(w.substring(w.lastIndexOf(':') + 1, w.indexOf('#', w.lastIndexOf(':'))));
  }

  @Test
  void jobsOfAKilledWorkerAreRecoveredThroughTheirLeasesAndNoneIsLost() {
    manager = ServiceManager.builder().name("queue-kill").runDirectory(dir.resolve("run")).listener(events)
        .childStdout(ProcessBuilder.Redirect.appendTo(dir.resolve("children.log").toFile()))
        .childStderr(ProcessBuilder.Redirect.appendTo(dir.resolve("children.log").toFile()))
        .service(QueueWorkerService.config("queue", 2, settings(10_000, 1500))).build().start();
    await().atMost(LONG).until(() -> events.ready.size() == 2);

    List<JobHandle<Long>> jobs = enqueue(16, 700);
    JobInfo running = await().atMost(LONG).pollInterval(Duration.ofMillis(20))
        .until(() -> jobs.stream().map(this::info).filter(j -> j.state() == JobState.RUNNING).findFirst(),
            Optional::isPresent).orElseThrow();
    long victim = pidOf(running);
    List<String> heldByVictim = jobs.stream().map(this::info)
        .filter(j -> j.state() == JobState.RUNNING && pidOf(j) == victim).map(JobInfo::id).toList();

    long t0 = System.nanoTime();
    ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // kill -9 with jobs in hand
    await().atMost(MasterProcessTest.RESPAWN_LIMIT).pollInterval(Duration.ofMillis(10))
        .until(() -> events.started.stream().anyMatch(s -> s.atNanos() > t0));
    System.out.println("queue worker respawned " + (System.nanoTime() - t0) / 1_000_000 + " ms after kill -9");

    for (JobHandle<Long> h : jobs) {
      assertThat(h.result(LONG)).isPositive();
    }
    assertThat(jobs).allSatisfy(h -> assertThat(info(h).state()).isEqualTo(JobState.SUCCEEDED));
    for (String id : heldByVictim) {
      JobInfo j = store.find(id).orElseThrow();
      assertThat(j.workerLost()).as("job %s was held by the killed worker", id).isEqualTo(1);
      assertThat(Long.parseLong(j.resultJson())).isNotEqualTo(victim);
    }
  }

  @Test
  void sigtermLetsJobsInFlightFinishWithinTheGrace() throws Exception {
    try (MasterProcess master = MasterProcess.start(dir, "queue-finish", config(settings(20_000, 10_000), 2))) {
      await().atMost(LONG).until(() -> master.lines("EVENT ready").size() == 2);
      List<JobHandle<Long>> jobs = enqueue(4, 1500);
      await().atMost(LONG).until(() -> jobs.stream().allMatch(h -> info(h).state() == JobState.RUNNING));

      master.signal("TERM");
      assertThat(master.awaitExit(LONG).code()).as("master log:%n%s", master.log()).isZero();
      assertThat(jobs).as(master.log()).allSatisfy(h -> {
        JobInfo j = info(h);
        assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(j.attempt()).isEqualTo(1);
      });
    }
  }

  @Test
  void sigtermReleasesJobsThatCannotFinishSoTheyRunAgain() throws Exception {
    try (MasterProcess master = MasterProcess.start(dir, "queue-release", config(settings(500, 10_000), 2))) {
      await().atMost(LONG).until(() -> master.lines("EVENT ready").size() == 2);
      List<JobHandle<Long>> jobs = enqueue(4, 120_000);
      await().atMost(LONG).until(() -> jobs.stream().allMatch(h -> info(h).state() == JobState.RUNNING));
      List<Long> children = List.copyOf(Ps.children(master.pid(), "spindle: queue worker(").stream()
          .map(Ps.Proc::pid).toList());

      master.signal("TERM");
      assertThat(master.awaitExit(LONG).code()).as("master log:%n%s", master.log()).isZero(); // released in time: nobody had to be killed
      assertThat(Ps.alive(children)).isEmpty();
      Map<JobState, Long> states = jobs.stream().map(this::info)
          .collect(Collectors.groupingBy(JobInfo::state, Collectors.counting()));
      assertThat(states).as(master.log()).containsExactly(Map.entry(JobState.QUEUED, 4L));
      assertThat(jobs).allSatisfy(h -> assertThat(info(h).workerLost()).isZero());
    }
  }

  private Path config(QueueWorkerService.Settings s, int workers) throws Exception {
    ServiceConfig c = QueueWorkerService.config("queue", workers, s);
    Path cfg = dir.resolve("queue.json");
    Files.writeString(cfg, "{\"services\": [{\"name\": \"queue\", \"class\": \"" + QueueWorkerService.class.getName()
        + "\", \"workers\": " + workers + ", \"stopTimeout\": \"" + c.stopTimeout().toMillis() + "ms\", \"args\": "
        + c.argsJson() + "}]}");
    return cfg;
  }
}
