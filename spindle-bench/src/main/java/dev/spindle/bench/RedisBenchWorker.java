package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A queue worker process on Redis for {@link RedisBench}: reads the store URL from
 * {@code SPINDLE_REDIS_URL} (never from the command line) and takes {@code [--concurrency 64]
 * [--model THREADS] [--lease-ms 10000] [--heartbeat-ms 1000] [--poll-ms 1000] [--name w]}. Prints
 * {@code READY <id>} once consuming; stops gracefully on SIGTERM.
 */
public final class RedisBenchWorker {
  private RedisBenchWorker() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromEnvironment());
    Worker w = Worker.builder(store).registry(TaskRegistry.of(RedisBenchTasks.class))
        .concurrency(Integer.parseInt(o.getOrDefault("concurrency", "64")))
        .model(ExecutionModel.valueOf(o.getOrDefault("model", "THREADS").toUpperCase(Locale.ROOT)))
        .leaseDuration(Duration.ofMillis(Long.parseLong(o.getOrDefault("lease-ms", "10000"))))
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("heartbeat-ms", "1000"))))
        .pollInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("poll-ms", "1000"))))
        .shutdownGrace(Duration.ofSeconds(5))
        .name(o.getOrDefault("name", "bench")).start();
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
