package dev.spindle.store.sqlite;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A worker process for {@link WorkerProcessKillTest} and {@link WorkerTaskExitTest}:
 * {@code ChildWorker DB CONCURRENCY LEASE_MS HEARTBEAT_MS [GRACE_MS]}. Prints {@code READY} once
 * consuming; runs until killed (or stops gracefully from its shutdown hook: SIGTERM, System.exit).
 */
public final class ChildWorker {
  private ChildWorker() {}

  public static void main(String[] args) throws Exception {
    SqliteJobStore store = SqliteJobStore.open(Path.of(args[0]));
    Worker w = Worker.builder(store).registry(TaskRegistry.of(KillTestTasks.class))
        .concurrency(Integer.parseInt(args[1])).leaseDuration(Duration.ofMillis(Long.parseLong(args[2])))
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[3])))
        .shutdownGrace(Duration.ofMillis(args.length > 4 ? Long.parseLong(args[4]) : 30_000)).name("child").start();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      w.close();
      store.close();
      done.countDown();
    }));
    System.out.println("READY " + w.id());
    System.out.flush();
    done.await();
  }
}
