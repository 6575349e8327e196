package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.JobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A chord of N no-op children and a callback against the same N jobs enqueued alone, side by side
 * on one store and one in-process worker: the time until the callback ran vs until the last plain
 * job ended, and the store's space per dependency edge (SQLite). Rounds alternate the two.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.WorkflowBench [--jobs 10000] [--rounds 3] [--store sqlite:/tmp/wf.db]
 * </pre>
 */
public final class WorkflowBench {
  private static final Task<long[], Long> COUNT = Task.of("bench.count", long[].class, Long.class,
      xs -> (long) xs.length);

  private WorkflowBench() {}

  public static void main(String[] args) throws Exception {
    int jobs = 10_000;
    int rounds = 3;
    String location = "sqlite:" + Files.createTempDirectory("spindle-wf").resolve("wf.db");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jobs" -> jobs = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--store" -> location = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    TaskRegistry registry = TaskRegistry.builder().add(BenchTasks.NOOP).add(COUNT).build();
    Duration wait = Duration.ofMinutes(10);
    try (JobStore store = JobStores.open(location);
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         Worker w = Worker.builder(store).registry(registry).model(ExecutionModel.VIRTUAL).concurrency(256)
             .pollInterval(Duration.ofMillis(20)).start()) {
      System.out.printf(Locale.ROOT, "store %s, %d no-op jobs, worker VIRTUAL x 256, %d rounds%n",
          store.describe(), jobs, rounds);
      List<Double> plain = new ArrayList<>();
      List<Double> chord = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        List<JobHandle<Long>> hs = q.enqueueAll(BenchTasks.NOOP, Collections.nCopies(jobs, 1L), JobOptions.defaults());
        for (JobHandle<Long> h : hs) {
          h.await(wait);
        }
        plain.add((System.nanoTime() - t0) / 1e9);

        t0 = System.nanoTime();
        List<Workflow> kids = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
          kids.add(Workflow.task(BenchTasks.NOOP, (long) i));
        }
        WorkflowHandle h = q.submit(Workflow.chord(Workflow.group(kids), Workflow.task(COUNT)));
        long n = h.last().get(0).result(wait).asLong();
        chord.add((System.nanoTime() - t0) / 1e9);
        if (n != jobs) {
          throw new IllegalStateException("the callback saw " + n + " results, not " + jobs);
        }
        System.out.printf(Locale.ROOT, "round %d: %d jobs alone %.2f s, chord of %d + callback %.2f s (%.2fx)%n",
            r + 1, jobs, plain.get(r), jobs, chord.get(r), chord.get(r) / plain.get(r));
      }
      Collections.sort(plain);
      Collections.sort(chord);
      double p = plain.get(rounds / 2);
      double c = chord.get(rounds / 2);
      System.out.printf(Locale.ROOT, "median: alone %.2f s (%.0f jobs/s), chord %.2f s (%.0f jobs/s): %.2fx%n",
          p, jobs / p, c, (jobs + 1) / c, c / p);
      if (location.startsWith("sqlite:")) {
        edgeSpace(Path.of(location.substring(7)), jobs * rounds);
      }
    }
  }

  /** Bytes of the dependency tables per edge, from SQLite's dbstat (when compiled in). */
  private static void edgeSpace(Path db, int edges) {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
         var st = c.createStatement();
         var rs = st.executeQuery("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'spindle_deps%'"
             + " OR name LIKE 'spindle_waits%' GROUP BY name")) {
      long total = 0;
      while (rs.next()) {
        System.out.printf(Locale.ROOT, "  %-32s %,d bytes%n", rs.getString(1), rs.getLong(2));
        total += rs.getLong(2);
      }
      System.out.printf(Locale.ROOT, "dependency storage: %,d bytes for %,d edges = %.0f bytes per edge"
          + " (results copied to edges included)%n", total, edges, (double) total / edges);
    } catch (java.sql.SQLException e) {
      System.out.println("dependency storage: not measured (" + e.getMessage() + ")");
    }
  }
}
