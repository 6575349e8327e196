package dev.spindle.examples.locking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.FencedRegister;
import dev.spindle.coordination.Holder;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceListener;
import dev.spindle.supervisor.ServiceManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locking service on the supervisor: 3 supervised workers count to 100 through one fenced
 * lock; the holder is killed with {@code kill -9} halfway, the master respawns it, and the count
 * still ends at exactly 60 with every value written once.
 */
class LockingServiceTest {
  private static final long TARGET = 100;

  @TempDir
  Path dir;

  @Test
  void workersTakeTurnsAndSurviveAHolderKilledWithSigkill() throws Exception {
    Path db = dir.resolve("locks.db");
    Path log = dir.resolve("workers.log");
    List<Long> exited = new CopyOnWriteArrayList<>();
    ServiceManager manager = ServiceManager.builder().name("locking").runDirectory(dir.resolve("run"))
        .handleSignals(false)
        .listener(new ServiceListener() {
          @Override
          public void workerExited(String service, int workerId, long pid, ExitStatus status, boolean expected,
              Optional<Duration> restartIn) {
            exited.add(pid);
          }
        })
        .childStdout(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .childStderr(ProcessBuilder.Redirect.appendTo(dir.resolve("workers.err").toFile()))
        .service(ServiceConfig.builder("locker", LockingService.class).workers(3)
            .args(new LockingService.Args(db.toString(), "turns", "count", 1000, TARGET, 30, 10))
            .stopTimeout(Duration.ofSeconds(5)).build())
        .build().start();
    try (Coordinator observer = Coordinator.builder().sqlite(db).build()) {
      FencedRegister count = observer.register("count");
      await().atMost(Duration.ofSeconds(60)).until(() -> value(count) >= TARGET / 2);
      Holder victim = await().atMost(Duration.ofSeconds(10)).until(
          () -> observer.holders("turns").stream().findFirst(), Optional::isPresent).orElseThrow();
      long pid = Long.parseLong(victim.holderId().substring(0, victim.holderId().indexOf('-')));
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
      await().atMost(Duration.ofSeconds(30)).until(() -> exited.contains(pid));
      await().atMost(Duration.ofSeconds(60)).until(() -> value(count) >= TARGET);
      assertThat(value(count)).isEqualTo(TARGET);
      List<String> wrote = Files.readAllLines(log).stream().filter(l -> l.startsWith("wrote ")).toList();
      Map<Long, Long> perValue = wrote.stream().map(l -> Long.parseLong(l.split(" ")[1]))
          .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      assertThat(perValue.values()).as("no value written twice (no lost update)").allMatch(n -> n == 1);
      assertThat(perValue.size()).as("only the killed worker's last write may be unlogged")
          .isGreaterThanOrEqualTo((int) TARGET - 1);
      long writers = wrote.stream().map(l -> l.split(" ")[5]).distinct().count();
      assertThat(writers).as("the workers took turns").isGreaterThanOrEqualTo(2);
      System.out.printf("locking service: count %d, %d logged writes by %d processes; holder %d killed and respawned%n",
          value(count), wrote.size(), writers, pid);
    } finally {
      manager.stopNow();
      assertThat(manager.awaitTermination(Duration.ofSeconds(60))).isPresent();
    }
  }

  private static long value(FencedRegister r) {
    return r.read().map(v -> Long.parseLong(v.value())).orElse(0L);
  }
}
