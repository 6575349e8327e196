package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * A queue worker process for {@link PostgresBench}: {@code PostgresBenchWorker --store LOCATION
 * [--concurrency 64] [--prefetch 0] [--model THREADS] [--name w] [--lease-ms 10000] [--heartbeat-ms 1000]} (the location names a password file; no password
 * on the command line). Prints {@code READY <id>} once consuming; stops gracefully on SIGTERM.
 */
public final class PostgresBenchWorker {
  private PostgresBenchWorker() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    StoreBackend store = JobStores.open(Objects.requireNonNull(o.get("store"), "--store"));
    Worker w = Worker.builder(store)
        .registry(TaskRegistry.of(QueueBenchTasks.class, RedisBenchTasks.class, DurableFaultTasks.class))
        .concurrency(Integer.parseInt(o.getOrDefault("concurrency", "64")))
        .prefetch(Integer.parseInt(o.getOrDefault("prefetch", "0")))
        .model(ExecutionModel.valueOf(o.getOrDefault("model", "THREADS").toUpperCase(Locale.ROOT)))
        .leaseDuration(Duration.ofMillis(Long.parseLong(o.getOrDefault("lease-ms", "10000"))))
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("heartbeat-ms", "1000"))))
        .shutdownGrace(Duration.ofSeconds(5)).name(o.getOrDefault("name", "pgbench")).start();
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
