package dev.spindle.supervisor.testing;

import dev.spindle.process.JoinableQueue;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.ParentWatchdog;
import dev.spindle.supervisor.ServiceListener;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.Termination;
import dev.spindle.supervisor.examples.CotyledonExamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A master JVM for tests: {@code TestMaster <runDir> <name> <configFile> [reloadScale service=n]};
 * with {@code producer-consumer} instead of a file, the text's producer/consumer example on a queue
 * this master serves.
 * Handles signals like the CLI, prints one {@code EVENT ...} line per listener call and
 * {@code TERMINATED <exitCode> <forced>} at the end, then exits with the termination's status.
 */
public final class TestMaster {
  private TestMaster() {}

  public static void main(String[] args) {
    ParentWatchdog.startFromEnvironment(); // never outlive the test JVM
    ServiceManager.Builder b = ServiceManager.builder()
        .runDirectory(Path.of(args[0]))
        .name(args[1])
        .handleSignals(true)
        .memoryCheckInterval(Duration.ofMillis(200))
        .reportInterval(Duration.ofMillis(100))
        .listener(new Printer());
    JoinableQueue<Long> queue = null;
    if (args[2].equals("producer-consumer")) {
      queue = JoinableQueue.create(Long.class, 0);
      CotyledonExamples.producerConsumer(queue, 2, Duration.ofMillis(200), 0).forEach(b::service);
    } else {
      b.configFile(Path.of(args[2]));
    }
    if (args.length > 3) {
      String[] kv = args[3].split("=");
      b.onReload(m -> {
        System.out.println("Reloading");
        m.scale(kv[0], Integer.parseInt(kv[1]));
      });
    }
    Termination t = b.build().run();
    if (queue != null) {
      queue.close();
    }
    System.out.println("TERMINATED " + t.exitCode() + " " + t.forcedKills());
    System.out.flush();
    System.exit(t.exitCode());
  }

  private static final class Printer implements ServiceListener {
    @Override
    public void workerStarted(String service, int workerId, long pid) {
      System.out.println("EVENT started " + service + " " + workerId + " " + pid);
    }

    @Override
    public void workerReady(String service, int workerId, long pid, Duration startup) {
      System.out.println("EVENT ready " + service + " " + workerId + " " + pid + " " + startup.toMillis());
    }

    @Override
    public void workerExited(String service, int workerId, long pid, ExitStatus status, boolean expected,
        Optional<Duration> restartIn) {
      System.out.println("EVENT exited " + service + " " + workerId + " " + pid + " " + status.code() + " " + expected);
    }

    @Override
    public void crashLoop(String service, int workerId, int failures, Duration nextDelay) {
      System.out.println("EVENT crashloop " + service + " " + workerId + " " + failures + " " + nextDelay.toMillis());
    }

    @Override
    public void reloaded(List<String> changes) {
      System.out.println("EVENT reloaded " + changes);
    }
  }
}
