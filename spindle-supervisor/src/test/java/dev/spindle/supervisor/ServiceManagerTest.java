package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.supervisor.testing.CrashingService;
import dev.spindle.supervisor.testing.HogService;
import dev.spindle.supervisor.testing.IdleService;
import dev.spindle.supervisor.testing.JobsService;
import dev.spindle.supervisor.testing.Recorder;
import dev.spindle.supervisor.testing.StubbornService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A master in the test JVM, its children real JVMs. */
class ServiceManagerTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private final Recorder events = new Recorder();
  private ServiceManager manager;

  private ServiceManager.Builder builder(String name) {
    return ServiceManager.builder().name(name).runDirectory(dir.resolve("run")).listener(events)
        .memoryCheckInterval(Duration.ofMillis(100)).reportInterval(Duration.ofMillis(100))
        .childStdout(ProcessBuilder.Redirect.appendTo(dir.resolve("children.log").toFile()))
        .childStderr(ProcessBuilder.Redirect.appendTo(dir.resolve("children.log").toFile()));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (manager != null) {
      manager.stopNow();
      assertThat(manager.awaitTermination(LONG)).isPresent();
    }
  }

  @Test
  void aTimeoutTooLongForNanosecondsWaitsInsteadOfFailing() throws InterruptedException {
    ServiceManager m = builder("forever").service(ServiceConfig.builder("idle", IdleService.class).build()).build();
    m.stop();
    assertThat(m.awaitTermination(java.time.temporal.ChronoUnit.FOREVER.getDuration())).isPresent();
  }

  @Test
  void crashLoopIsReportedAndBackedOff() {
    manager = builder("crash").service(ServiceConfig.builder("crasher", CrashingService.class)
        .restartBackoff(Duration.ofMillis(200), Duration.ofSeconds(2)).crashLoopThreshold(3).build()).build().start();

    await().atMost(LONG).until(() -> !events.crashLoops.isEmpty() && events.exited.size() >= 4);
    assertThat(events.crashLoops.get(0).failures()).isEqualTo(3);
    assertThat(manager.status().service("crasher").orElseThrow().crashLooping()).isTrue();
    // Every exit is a failure (status 1 from the throwing run()), and the waits grow: 0, 200, 400, 800 ms...
    List<Duration> delays = events.exited.stream().map(e -> e.restartIn().orElseThrow()).toList();
    assertThat(events.exited).allSatisfy(e -> {
      assertThat(e.status().code()).isEqualTo(1);
      assertThat(e.expected()).isFalse();
    });
    assertThat(delays.subList(0, 4)).containsExactly(Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(400),
        Duration.ofMillis(800));
    // Back-off, not a hot loop: between exits the master waited at least the announced delay.
    for (int i = 1; i < 4; i++) {
      long gapMs = (events.exited.get(i).atNanos() - events.exited.get(i - 1).atNanos()) / 1_000_000;
      assertThat(gapMs).isGreaterThanOrEqualTo(delays.get(i - 1).toMillis());
    }
  }

  /** A wall clock that jumps by {@code step} at every read, as one stepped by NTP or an operator would. */
  private static Clock jumping(Duration step) {
    AtomicLong reads = new AtomicLong();
    Instant base = Instant.now();
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return base.plus(step.multipliedBy(reads.incrementAndGet()));
      }
    };
  }

  @Test
  void aWallClockJumpingForwardDoesNotHideACrashLoop() {
    manager = builder("jumpfwd").clock(jumping(Duration.ofHours(1))).service(ServiceConfig.builder("crasher",
        CrashingService.class).restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).crashLoopThreshold(3)
        .build()).build().start();

    // children dying at once live hours by the wall clock; their uptime must not come from it
    await().atMost(Duration.ofSeconds(30)).until(() -> !events.crashLoops.isEmpty());
    assertThat(events.crashLoops.get(0).failures()).isEqualTo(3);
    assertThat(events.crashLoops.get(0).nextDelay()).as("the wait announced, not a wall-clock difference")
        .isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(manager.status().service("crasher").orElseThrow().crashLooping()).isTrue();
  }

  @Test
  void aWallClockJumpingBackDoesNotMakeAHealthyWorkerLookCrashLooping() {
    Duration stableAfter = Duration.ofMillis(300);
    manager = builder("jumpback").clock(jumping(Duration.ofHours(-1))).service(ServiceConfig.builder("idle",
        IdleService.class).restartBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).stableAfter(stableAfter)
        .crashLoopThreshold(2).build()).build().start();

    for (int i = 1; i <= 3; i++) {
      // each child stays up past stableAfter (its uptime as reported), then dies unexpectedly
      WorkerStatus w = await().atMost(LONG).until(() -> manager.status().service("idle").orElseThrow()
          .workerStatuses().get(0), s -> s.pid() != 0 && s.uptime().compareTo(stableAfter) >= 0);
      assertThat(manager.status().service("idle").orElseThrow().crashLooping()).isFalse();
      ProcessHandle.of(w.pid()).orElseThrow().destroyForcibly();
      int exits = i;
      await().atMost(LONG).until(() -> events.exited.size() == exits);
    }
    assertThat(events.exited).allSatisfy(e -> assertThat(e.expected()).isFalse());
    assertThat(events.crashLoops).as("each child lived past stableAfter: no crash loop").isEmpty();
  }

  @Test
  void recyclesAfterMaxJobs() {
    manager = builder("jobs").service(ServiceConfig.builder("jobs", JobsService.class)
        .args(new JobsService.Args(10)).maxJobsPerChild(20).build()).build().start();

    await().atMost(LONG).until(() -> events.started.size() >= 3);
    assertThat(events.recycling).isNotEmpty();
    assertThat(events.recycling.get(0).reason()).contains("served 20 jobs");
    Recorder.Exited first = events.exited.get(0);
    assertThat(first.expected()).isTrue();
    assertThat(first.status().code()).isZero();
    assertThat(first.restartIn()).contains(Duration.ZERO);
    assertThat(events.crashLoops).isEmpty();
    assertThat(manager.status().service("jobs").orElseThrow().recycles()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void recyclesWhenHeapAfterGcPassesTheLimit() {
    manager = builder("heap").service(ServiceConfig.builder("hog", HogService.class).args(new HogService.Args(48))
        .maxHeap("256m").maxHeapUsed("32m").build()).build().start();

    await().atMost(LONG).until(() -> !events.recycling.isEmpty());
    assertThat(events.recycling.get(0).reason()).contains("heap in use after GC").contains("32.0 MiB");
    await().atMost(LONG).until(() -> events.started.size() >= 2);
    assertThat(events.exited.get(0).expected()).isTrue();
  }

  @Test
  void recyclesWhenResidentSetPassesTheLimit() {
    manager = builder("rss").service(ServiceConfig.builder("hog", HogService.class).args(new HogService.Args(200))
        .maxHeap("384m").maxResident("160m").build()).build().start();

    await().atMost(LONG).until(() -> !events.recycling.isEmpty());
    assertThat(events.recycling.get(0).reason()).contains("resident set").contains("160.0 MiB");
    await().atMost(LONG).until(() -> events.started.size() >= 2);
  }

  @Test
  void gracefulStopLetsWorkFinishWithinTheDeadline() throws InterruptedException {
    manager = builder("graceful").service(ServiceConfig.builder("idle", IdleService.class).workers(2)
        .args(new IdleService.Args(700)).stopTimeout(Duration.ofSeconds(20)).build()).build().start();
    await().atMost(LONG).until(() -> events.ready.size() == 2);

    Termination t = manager.stop().join();
    assertThat(t.exitCode()).isEqualTo(Termination.CLEAN);
    assertThat(t.forcedKills()).isZero();
    assertThat(events.exited).hasSize(2).allSatisfy(e -> {
      assertThat(e.status().code()).isZero();
      assertThat(e.expected()).isTrue();
      assertThat(e.restartIn()).isEmpty();
    });
    assertThat(manager.state()).isEqualTo(ManagerState.TERMINATED);
    assertThat(Files.exists(dir.resolve("run/graceful.sock"))).isFalse();
    manager = null;
  }

  @Test
  void stopKillsWorkersThatMissTheDeadline() {
    manager = builder("stubborn").service(ServiceConfig.builder("stubborn", StubbornService.class)
        .stopTimeout(Duration.ofMillis(500)).build())
        .service(ServiceConfig.builder("idle", IdleService.class).build()).build().start();
    await().atMost(LONG).until(() -> events.ready.size() == 2);

    Termination t = manager.stop().join();
    assertThat(t.exitCode()).isEqualTo(Termination.FORCED);
    assertThat(t.forcedKills()).isEqualTo(1);
    assertThat(events.exited).anySatisfy(e -> {
      assertThat(e.service()).isEqualTo("stubborn");
      assertThat(e.status().signal()).isEqualTo(9);
    });
    assertThat(events.exited).anySatisfy(e -> {
      assertThat(e.service()).isEqualTo("idle");
      assertThat(e.status().code()).isZero();
    });
    manager = null;
  }

  @Test
  void controlSocketServesStatusScaleAndErrors() {
    manager = builder("ctl").service(ServiceConfig.builder("idle", IdleService.class).workers(1).build())
        .build().start();
    ControlClient ctl = ControlClient.find(dir.resolve("run"), null);
    await().atMost(LONG).until(() -> events.ready.size() == 1);

    ManagerStatus st = ctl.status();
    assertThat(st.name()).isEqualTo("ctl");
    assertThat(st.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(st.state()).isEqualTo(ManagerState.RUNNING);
    WorkerStatus w = st.service("idle").orElseThrow().workerStatuses().get(0);
    assertThat(w.title()).isEqualTo("spindle: idle worker(0)");
    assertThat(w.state()).isEqualTo(WorkerState.RUNNING);
    assertThat(w.pid()).isEqualTo(events.ready.get(0).pid());
    assertThat(w.residentBytes()).isPositive();

    assertThatThrownBy(() -> ctl.scale("nope", 2)).isInstanceOf(ControlException.class)
        .hasMessageContaining("no service named 'nope'").hasMessageContaining("services: idle");
    assertThatThrownBy(() -> ctl.scale("idle", -1)).isInstanceOf(ControlException.class)
        .hasMessageContaining("workers must be in 0..512");
    assertThat(ctl.scale("idle", 0)).isEqualTo(1);
    await().atMost(LONG).until(() -> events.exited.size() == 1);
    assertThat(manager.status().service("idle").orElseThrow().workerStatuses()).isEmpty();
  }

  @Test
  void reloadRejectsAnInvalidFileAndChangesNothing() throws Exception {
    Path cfg = dir.resolve("services.json");
    Files.writeString(cfg, config(Map.of("idle", 1)));
    manager = builder("reload").configFile(cfg).build().start();
    await().atMost(LONG).until(() -> events.ready.size() == 1);

    Files.writeString(cfg, "{\"services\": [{\"name\": \"idle\", \"class\": \"" + IdleService.class.getName()
        + "\", \"workers\": 3, \"wokers\": 2}]}");
    assertThatThrownBy(manager::reload).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'wokers'");
    Files.writeString(cfg, "{\"services\": [{\"name\": \"idle\", \"class\": \"no.such.Service\"}]}");
    assertThatThrownBy(manager::reload).hasMessageContaining("no.such.Service is not on the class path");
    assertThat(manager.services()).singleElement().satisfies(c -> assertThat(c.workers()).isEqualTo(1));
    assertThat(events.started).hasSize(1);

    Files.writeString(cfg, config(Map.of("idle", 2)));
    assertThat(manager.reload()).containsExactly("scaled idle from 1 to 2 workers");
  }

  @Test
  void reloadRestartsOnlyTheServiceWhoseDefinitionChangedAndAddsAndRemovesServices() throws Exception {
    Path cfg = dir.resolve("services.json");
    String idle = IdleService.class.getName();
    Files.writeString(cfg, "{\"services\": [{\"name\": \"a\", \"class\": \"" + idle + "\"}, {\"name\": \"b\", "
        + "\"class\": \"" + idle + "\"}]}");
    manager = builder("redefine").configFile(cfg).build().start();
    await().atMost(LONG).until(() -> events.ready.size() == 2);
    long a0 = pidOf("a");
    long b0 = pidOf("b");

    Files.writeString(cfg, "{\"services\": [{\"name\": \"a\", \"class\": \"" + idle + "\", \"args\": "
        + "{\"finishMillis\": 1}}, {\"name\": \"b\", \"class\": \"" + idle + "\"}]}");
    assertThat(manager.reload()).containsExactly("restarted service a (its definition changed; 1 workers)");
    await().atMost(LONG).until(() -> events.ready.size() == 3 && events.exited.size() == 1);
    assertThat(events.exited.get(0).pid()).isEqualTo(a0);
    assertThat(events.exited.get(0).expected()).isTrue();
    assertThat(pidOf("a")).isNotEqualTo(a0);
    assertThat(pidOf("b")).isEqualTo(b0);
    assertThat(manager.services().get(0).argsJson()).isEqualTo("{\"finishMillis\":1}");

    Files.writeString(cfg, "{\"services\": [{\"name\": \"b\", \"class\": \"" + idle + "\"}, {\"name\": \"c\", "
        + "\"class\": \"" + idle + "\", \"workers\": 2}]}");
    assertThat(manager.reload()).containsExactly("removed service a", "added service c (2 workers)");
    await().atMost(LONG).until(() -> events.ready.size() == 5 && events.exited.size() == 2);
    assertThat(manager.status().services()).extracting(ServiceStatus::name).containsExactly("b", "c");
    assertThat(pidOf("b")).isEqualTo(b0);
  }

  private long pidOf(String service) {
    return await().atMost(LONG).until(() -> manager.status().service(service)
        .flatMap(s -> s.workerStatuses().stream().filter(w -> w.state() == WorkerState.RUNNING).findFirst())
        .map(WorkerStatus::pid).orElse(0L), pid -> pid != 0L);
  }

  @Test
  void refusesAnUnsafeRunDirectoryAndASecondMasterOfTheSameName() throws Exception {
    Path loose = dir.resolve("loose");
    Files.createDirectory(loose, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    ServiceManager bad = ServiceManager.builder().runDirectory(loose)
        .service(ServiceConfig.builder("idle", IdleService.class).build()).build();
    assertThatThrownBy(bad::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("chmod 700");
    assertThat(bad.onTermination().join().exitCode()).isEqualTo(Termination.START_FAILED);

    manager = builder("twin").service(ServiceConfig.builder("idle", IdleService.class).workers(0).build())
        .build().start();
    ServiceManager twin = builder("twin").service(ServiceConfig.builder("idle", IdleService.class).build()).build();
    assertThatThrownBy(twin::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already listening");
    assertThat(Files.getPosixFilePermissions(dir.resolve("run")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("run/twin.sock")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  static String config(Map<String, Integer> workers) {
    StringBuilder sb = new StringBuilder("{\"services\": [");
    workers.forEach((name, n) -> sb.append(sb.length() > 14 ? "," : "").append("{\"name\": \"").append(name)
        .append("\", \"class\": \"").append(IdleService.class.getName()).append("\", \"workers\": ").append(n)
        .append(", \"stopTimeout\": \"5s\"}"));
    return sb.append("]}").toString();
  }
}
