package dev.spindle.store.sqlite;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A worker process for {@link SqliteDurableKillTest}: {@code DurableChildWorker DB}, running {@link
 * DurableKillTasks} with a lease of one second. Prints {@code READY} once consuming; runs until
 * killed.
 */
public final class DurableChildWorker {
  private DurableChildWorker() {}

  public static void main(String[] args) throws Exception {
    SqliteJobStore store = SqliteJobStore.open(Path.of(args[0]));
    Worker w = Worker.builder(store).registry(TaskRegistry.of(DurableKillTasks.class)).concurrency(1)
        .leaseDuration(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofMillis(200))
        .pollInterval(Duration.ofMillis(50)).name("durable-child").start();
    System.out.println("READY " + w.id());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
