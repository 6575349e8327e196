package dev.spindle.testkit.store;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import java.time.Duration;

/**
 * The worker process of {@link DurableKillContract} and {@link DurableStopContract}: {@code
 * DurableChildWorker LOCATION} opens the store with {@link JobStores#open} and runs {@link
 * DurableKillTasks} with a concurrency of 1, a heartbeat every 200 ms and the lease given by the
 * system property {@code durable.lease} (ISO-8601, {@code PT5S} by default). Prints {@code READY
 * <worker id>} once consuming; runs until killed. Run it with the store module's test class path, so
 * that the store's provider is found.
 */
public final class DurableChildWorker {
  private DurableChildWorker() {}

  /** Starts the worker on the store at {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    StoreBackend store = JobStores.open(args[0]);
    Duration lease = Duration.parse(System.getProperty("durable.lease", "PT5S"));
    Worker w = Worker.builder(store).registry(TaskRegistry.of(DurableKillTasks.class)).concurrency(1)
        .leaseDuration(lease).heartbeatInterval(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(50))
        .name("durable-child").start();
    System.out.println("READY " + w.id());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
