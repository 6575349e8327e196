package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The in-memory store beside SQLite on a RAM disk, in one JVM: what a test or an embedded
 * application pays for the in-memory store being its own implementation rather than the SQL engine
 * on a memory-backed database. Rounds alternate the two stores; prints the medians of each.
 *
 * <p>Usage: {@code EmbeddedStoreBench [--jobs 100000] [--rounds 5] [--singles 20000] [--dir /dev/shm]}.
 */
public final class EmbeddedStoreBench {
  private final int jobs;
  private final int singles;
  private final Path dir;

  private EmbeddedStoreBench(int jobs, int singles, Path dir) {
    this.jobs = jobs;
    this.singles = singles;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "5"));
    Path base = Path.of(opts.getOrDefault("dir", "/dev/shm"));
    EmbeddedStoreBench bench = new EmbeddedStoreBench(Integer.parseInt(opts.getOrDefault("jobs", "100000")),
        Integer.parseInt(opts.getOrDefault("singles", "20000")), Files.createTempDirectory(base, "spindle-embedded"));
    Map<String, List<Double>> drains = new LinkedHashMap<>();
    Map<String, List<Double>> enqueues = new LinkedHashMap<>();
    for (int round = 0; round <= rounds; round++) {
      for (String kind : List.of("memory", "sqlite")) {
        double[] r = bench.round(kind, round);
        if (round == 0) {
          continue; // warm-up
        }
        drains.computeIfAbsent(kind, k -> new ArrayList<>()).add(r[0]);
        enqueues.computeIfAbsent(kind, k -> new ArrayList<>()).add(r[1]);
        System.out.printf(Locale.ROOT, "round %d %-6s drain %,9.0f jobs/s  single enqueue %,9.0f jobs/s%n", round, kind,
            r[0], r[1]);
      }
    }
    for (Map.Entry<String, List<Double>> drain : drains.entrySet()) {
      System.out.printf(Locale.ROOT, "median %-6s drain %,9.0f jobs/s  single enqueue %,9.0f jobs/s%n", drain.getKey(),
          Medians.median(drain.getValue()), Medians.median(enqueues.getOrDefault(drain.getKey(), List.of())));
    }
  }

  /** One round on a fresh store: {drain jobs/s, single enqueues/s}. */
  private double[] round(String kind, int round) throws Exception {
    String location = kind.equals("memory") ? "memory:bench-" + round : "sqlite:" + dir.resolve("round-" + round + ".db");
    try (JobStore store = JobStores.open(location);
        JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(QueueBenchTasks.class)).build()) {
      double enqueueRate = singleEnqueues(q);
      List<Long> inputs = LongStream.range(0, jobs).boxed().toList();
      q.enqueueAll(QueueBenchTasks.NOOP, inputs, JobOptions.builder().queue("drain").build());
      long c0 = store.finishCursor();
      long t0 = System.nanoTime();
      try (Worker w = q.worker().queues("drain").concurrency(256).model(ExecutionModel.VIRTUAL).start()) {
        while (store.finishCursor() - c0 < jobs) {
          Thread.onSpinWait();
          Thread.sleep(1);
        }
      }
      return new double[] {jobs / ((System.nanoTime() - t0) / 1e9), enqueueRate};
    }
  }

  private double singleEnqueues(JobQueue q) {
    JobOptions opts = JobOptions.builder().queue("singles").build();
    long t0 = System.nanoTime();
    for (int i = 0; i < singles; i++) {
      q.enqueue(QueueBenchTasks.NOOP, (long) i, opts);
    }
    return singles / ((System.nanoTime() - t0) / 1e9);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    return opts;
  }
}
