package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A queue worker process for the benchmarks: {@code QueueBenchWorker --store FILE [--concurrency 64] [--prefetch 0]
 * [--model THREADS] [--lease-ms 10000] [--heartbeat-ms 1000] [--name w]}. Prints {@code READY <id>}
 * once consuming; stops gracefully on SIGTERM.
 */
public final class QueueBenchWorker {
  /** The environment variable holding the key ring when the bench encrypts. */
  static final String KEYS_VARIABLE = "SPINDLE_BENCH_KEYS";

  private QueueBenchWorker() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    SqliteJobStore store = SqliteJobStore.builder(Path.of(o.get("store")))
        .durability(SqliteJobStore.Durability.valueOf(o.getOrDefault("durability", "NORMAL").toUpperCase(Locale.ROOT)))
        .open();
    Worker.Builder b = Worker.builder(store).registry(TaskRegistry.of(QueueBenchTasks.class))
        .concurrency(Integer.parseInt(o.getOrDefault("concurrency", "64")))
        .prefetch(Integer.parseInt(o.getOrDefault("prefetch", "0")))
        .model(ExecutionModel.valueOf(o.getOrDefault("model", "THREADS").toUpperCase(Locale.ROOT)))
        .leaseDuration(Duration.ofMillis(Long.parseLong(o.getOrDefault("lease-ms", "10000"))))
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("heartbeat-ms", "1000"))))
        .shutdownGrace(Duration.ofSeconds(5))
        .scheduleInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("schedule-ms", "1000"))))
        .name(o.getOrDefault("name", "bench"));
    if (System.getenv(KEYS_VARIABLE) != null) {
      b.encryption(dev.spindle.queue.KeyRing.fromEnvironment(KEYS_VARIABLE));
    }
    Worker w = b.start();
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
