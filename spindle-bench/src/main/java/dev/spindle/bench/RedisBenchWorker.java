package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A queue worker process on Redis for {@link RedisBench}: reads the store URL from
 * {@code SPINDLE_REDIS_URL} (never from the command line) and takes {@code [--concurrency 64] [--prefetch 0]
 * [--model THREADS] [--lease-ms 10000] [--heartbeat-ms 1000] [--poll-ms 1000] [--name w]
 * [--queue default]}. Prints {@code READY <id>} once consuming. A line {@code queue <name>} on
 * standard input stops the current worker gracefully and starts one on that queue, in the same
 * (warm) JVM, then prints {@code READY <id>} again: the benchmark fills a queue nobody consumes,
 * then lets every process loose on it at once. Stops gracefully on SIGTERM.
 */
public final class RedisBenchWorker {
  private RedisBenchWorker() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromEnvironment());
    AtomicReference<Worker> current = new AtomicReference<>(start(store, o, o.getOrDefault("queue", "default")));
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      synchronized (current) {
        Objects.requireNonNull(current.get()).close();
        store.close();
      }
      done.countDown();
    }));
    Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("queue ")) {
            synchronized (current) {
              Objects.requireNonNull(current.get()).close();
              current.set(start(store, o, line.substring(6).strip()));
            }
          }
        }
      } catch (IOException e) {
        // the parent went away; SIGTERM or the parent watchdog ends this process
      }
    });
    done.await();
  }

  private static Worker start(RedisJobStore store, Map<String, String> o, String queue) {
    Worker w = Worker.builder(store).registry(TaskRegistry.of(RedisBenchTasks.class, QueueBenchTasks.class))
        .queues(queue)
        .concurrency(Integer.parseInt(o.getOrDefault("concurrency", "64")))
        .prefetch(Integer.parseInt(o.getOrDefault("prefetch", "0")))
        .model(ExecutionModel.valueOf(o.getOrDefault("model", "THREADS").toUpperCase(Locale.ROOT)))
        .leaseDuration(Duration.ofMillis(Long.parseLong(o.getOrDefault("lease-ms", "10000"))))
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("heartbeat-ms", "1000"))))
        .pollInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("poll-ms", "1000"))))
        .shutdownGrace(Duration.ofSeconds(5))
        .name(o.getOrDefault("name", "bench")).start();
    System.out.println("READY " + w.id());
    System.out.flush();
    return w;
  }
}
