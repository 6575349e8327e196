package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.supervisor.testing.IdleService;
import dev.spindle.supervisor.testing.MasterProcess;
import dev.spindle.supervisor.testing.Ps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master in its own JVM (titled {@code spindle: master process [...]}) driven like an operator
 * would: {@code kill}, signals, the control socket; checked against the live process list.
 */
class MasterProcessTest {
  /** How soon a replacement must be running after {@code kill -9} of a child (1 s). */
  static final Duration RESPAWN_LIMIT = Duration.ofMillis(Long.getLong("spindle.test.respawnLimitMs", 1000));
  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private Path config(Map<String, Integer> workers, String extra) throws Exception {
    Path cfg = dir.resolve("services.json");
    StringBuilder sb = new StringBuilder("{\"services\": [");
    String sep = "";
    for (var e : workers.entrySet()) {
      sb.append(sep).append("{\"name\": \"").append(e.getKey()).append("\", \"class\": \"")
          .append(IdleService.class.getName()).append("\", \"workers\": ").append(e.getValue()).append(extra).append("}");
      sep = ",";
    }
    Files.writeString(cfg, sb.append("]}").toString());
    return cfg;
  }

  /** worker title -> pid, from ps, for the children of {@code master} of one service. */
  private static Map<String, Long> workers(MasterProcess master, String service) {
    return Ps.children(master.pid(), "spindle: " + service + " worker(").stream()
        .collect(Collectors.toMap(Ps.Proc::title, Ps.Proc::pid));
  }

  private static Map<String, Long> awaitWorkers(MasterProcess master, String service, int n) {
    return await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> workers(master, service),
        m -> m.size() == n);
  }

  @Test
  void killedChildIsReplacedWithinTheLimit() throws Exception {
    try (MasterProcess master = MasterProcess.start(dir, "respawn", config(Map.of("idle", 2), ""))) {
      Map<String, Long> before = awaitWorkers(master, "idle", 2);
      assertThat(before).containsOnlyKeys("spindle: idle worker(0)", "spindle: idle worker(1)");
      long victim = before.get("spindle: idle worker(0)");

      long t0 = System.nanoTime();
      ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // kill -9
      await().atMost(RESPAWN_LIMIT).pollInterval(Duration.ofMillis(5))
          .until(() -> Ps.childrenFast(master.pid(), "spindle: idle worker(0)"),
              l -> l.size() == 1 && l.get(0).pid() != victim);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("respawn after kill -9: " + ms + " ms");
      Map<String, Long> after = workers(master, "idle"); // as ps shows it
      assertThat(after).hasSize(2).doesNotContainValue(victim);

      assertThat(after.get("spindle: idle worker(1)")).isEqualTo(before.get("spindle: idle worker(1)"));
      WorkerStatus w0 = master.control().status().service("idle").orElseThrow().workerStatuses().get(0);
      assertThat(w0.workerId()).isZero();
      assertThat(w0.pid()).isEqualTo(after.get("spindle: idle worker(0)"));
      assertThat(w0.restarts()).isEqualTo(1);
      assertThat(w0.lastExit()).contains("killed by signal 9");
    }
  }

  @Test
  void scalesThroughTheControlSocketAndSighupLeavingOtherChildrenAlone() throws Exception {
    Path cfg = config(Map.of("idle", 2), ", \"stopTimeout\": \"5s\"");
    try (MasterProcess master = MasterProcess.start(dir, "scale", cfg)) {
      Map<String, Long> two = awaitWorkers(master, "idle", 2);

      // control socket: 2 -> 5 -> 1
      assertThat(master.control().scale("idle", 5)).isEqualTo(2);
      Map<String, Long> five = awaitWorkers(master, "idle", 5);
      assertThat(five).containsAllEntriesOf(two);
      assertThat(master.control().scale("idle", 1)).isEqualTo(5);
      Map<String, Long> one = awaitWorkers(master, "idle", 1);
      assertThat(one).containsExactlyEntriesOf(Map.of("spindle: idle worker(0)", two.get("spindle: idle worker(0)")));

      // SIGHUP: the configuration file says 5, then 1
      config(Map.of("idle", 5), ", \"stopTimeout\": \"5s\"");
      master.signal("HUP");
      Map<String, Long> fiveAgain = awaitWorkers(master, "idle", 5);
      assertThat(fiveAgain).containsAllEntriesOf(one);
      config(Map.of("idle", 1), ", \"stopTimeout\": \"5s\"");
      master.signal("HUP");
      assertThat(awaitWorkers(master, "idle", 1)).isEqualTo(one);
      assertThat(master.lines("EVENT reloaded")).containsExactly("EVENT reloaded [scaled idle from 1 to 5 workers]",
          "EVENT reloaded [scaled idle from 5 to 1 workers]");
      assertThat(master.control().status().service("idle").orElseThrow().workers()).isEqualTo(1);
    }
  }

  @Test
  void sighupRunsTheReloadHookLikeTheText() throws Exception {
    // Cotyledon's reload example: on SIGHUP print "Reloading" and reconfigure printer to 5 workers.
    Path cfg = config(Map.of("printer", 2, "other", 1), "");
    try (MasterProcess master = MasterProcess.start(dir, "hook", cfg, "printer=5")) {
      Map<String, Long> two = awaitWorkers(master, "printer", 2);
      Map<String, Long> other = awaitWorkers(master, "other", 1);
      master.signal("HUP");
      Map<String, Long> five = awaitWorkers(master, "printer", 5);
      assertThat(five).containsAllEntriesOf(two).containsKeys("spindle: printer worker(0)",
          "spindle: printer worker(4)");
      assertThat(workers(master, "other")).isEqualTo(other);
      assertThat(master.lines("Reloading")).hasSize(1);
    }
  }

  @Test
  void childrenDieWithTheMasterEvenOnKill9() throws Exception {
    try (MasterProcess master = MasterProcess.start(dir, "orphans", config(Map.of("idle", 3), ""))) {
      List<Long> children = List.copyOf(awaitWorkers(master, "idle", 3).values());

      long t0 = System.nanoTime();
      master.kill9();
      await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
          .until(() -> Ps.alive(children).isEmpty());
      System.out.println("children gone " + (System.nanoTime() - t0) / 1_000_000 + " ms after kill -9 of the master");
      // a dead child may linger as a zombie until init reaps it, but no process with its title remains
      assertThat(Ps.all()).noneMatch(p -> children.contains(p.pid()) && p.args().startsWith("spindle: "));
    }
  }

  @Test
  void sigtermStopsGracefullyAndTheMasterExitsLast() throws Exception {
    Path cfg = config(Map.of("idle", 2), ", \"args\": {\"finishMillis\": 800}, \"stopTimeout\": \"10s\"");
    try (MasterProcess master = MasterProcess.start(dir, "term", cfg)) {
      List<Long> children = List.copyOf(awaitWorkers(master, "idle", 2).values());
      await().atMost(LONG).until(() -> master.lines("EVENT ready").size() == 2);

      master.signal("TERM");
      assertThat(master.awaitExit(LONG).code()).as("master log:%n%s", master.log()).isZero();
      assertThat(Ps.alive(children)).isEmpty();
      assertThat(master.lines("FINISHED idle")).hasSize(2);
      assertThat(master.lines("EVENT exited")).hasSize(2).allMatch(l -> l.endsWith(" 0 true"));
      assertThat(master.lines("TERMINATED")).containsExactly("TERMINATED 0 0");
    }
  }

  @Test
  void sigtermKillsChildrenThatMissTheDeadlineAndSaysSo() throws Exception {
    Path cfg = config(Map.of("idle", 1), ", \"args\": {\"finishMillis\": 60000}, \"stopTimeout\": \"500ms\"");
    try (MasterProcess master = MasterProcess.start(dir, "deadline", cfg)) {
      List<Long> children = List.copyOf(awaitWorkers(master, "idle", 1).values());
      await().atMost(LONG).until(() -> master.lines("EVENT ready").size() == 1);

      master.signal("TERM");
      assertThat(master.awaitExit(LONG).code()).as("master log:%n%s", master.log()).isEqualTo(Termination.FORCED);
      assertThat(Ps.alive(children)).isEmpty();
      assertThat(master.lines("TERMINATED")).containsExactly("TERMINATED 1 1");
      assertThat(master.log()).contains("did not stop within 500ms of SIGTERM; killing it");
    }
  }
}
