package dev.spindle.store.redis;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import java.time.Duration;
import java.util.Map;

/**
 * A worker process for {@link RedisDurableKillTest}: {@code RedisDurableChildWorker URL} (a Redis URL
 * with its namespace), running {@link dev.spindle.testkit.store.DurableKillTasks} with a lease of three seconds (one second lost the lease to a starved
 * child JVM on a loaded machine). Prints
 * {@code READY} once consuming; runs until killed.
 */
public final class RedisDurableChildWorker {
  private RedisDurableChildWorker() {}

  public static void main(String[] args) throws Exception {
    RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(args[0], Map.of()));
    Worker w = Worker.builder(store).registry(TaskRegistry.of(dev.spindle.testkit.store.DurableKillTasks.class)).concurrency(1)
        .leaseDuration(Duration.ofSeconds(3)).heartbeatInterval(Duration.ofMillis(200))
        .pollInterval(Duration.ofMillis(50)).name("durable-child").start();
    System.out.println("READY " + w.id());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
