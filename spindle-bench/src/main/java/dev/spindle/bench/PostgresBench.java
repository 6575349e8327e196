package dev.spindle.bench;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.testkit.postgres.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * End-to-end benchmarks of the PostgreSQL store on a local server that it starts itself (the
 * testkit's {@link PostgresServer}: Debian's binaries, {@code fsync=off}, {@code synchronous_commit=off}),
 * with workers in separate JVMs ({@link PostgresBenchWorker}).
 *
 * <pre>
 * java -cp ... dev.spindle.bench.PostgresBench MODE [--jobs N] [--workers 2] [--concurrency 64]
 *     [--samples 1000]
 *
 * MODE  drain      bulk enqueue of N no-op jobs (one call), then idle worker processes drain them, jobs/s
 *       latency    enqueue-to-start latency on idle workers with NOTIFY on, then off: p50/p99/max
 *       all        drain, latency
 * </pre>
 */
public final class PostgresBench {
  private final Map<String, String> opts;
  private final PostgresServer server;
  private final Path dir;
  private final Path passwordFile;
  private final List<Process> processes = new ArrayList<>();
  private int workerSeq;
  private int schemaSeq;

  private PostgresBench(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.server = PostgresServer.start();
    this.dir = Files.createTempDirectory("spindle-pgbench");
    this.passwordFile = dir.resolve("pw");
    Files.writeString(passwordFile, server.password() + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: PostgresBench drain|latency|all [--option value ...]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    PostgresBench b = new PostgresBench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(b::killAll));
    System.out.printf(Locale.ROOT, "machine: %d cores, %s; PostgreSQL on 127.0.0.1:%d (fsync off)%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), b.server.port());
    try {
      switch (args[0]) {
        case "drain" -> b.drain();
        case "latency" -> b.latency();
        case "all" -> {
          b.drain();
          b.latency();
        }
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } finally {
      b.killAll();
      b.server.close();
      b.deleteDir(); // the password file and the workers' logs
    }
  }

  private void deleteDir() {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  private String location(String schema, boolean notify) {
    return server.location() + "&schema=" + schema + "&passwordFile=" + passwordFile + "&notify="
        + (notify ? "on" : "off");
  }

  private int intOpt(String k, int d) {
    return Integer.parseInt(opts.getOrDefault(k, Integer.toString(d)));
  }

  private void drain() throws Exception {
    int n = intOpt("jobs", 200_000);
    int workers = intOpt("workers", 2);
    String loc = location("drain_" + (schemaSeq++), true);
    try (JobStore store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
      for (int i = 0; i < workers; i++) {
        startWorker(loc);
      }
      for (int round = 0; round < 2; round++) {
        long c0 = store.finishCursor();
        int count = round == 0 ? Math.min(n, 50_000) : n;
        List<Long> inputs = LongStream.range(0, count).boxed().toList();
        long t0 = System.nanoTime();
        q.enqueueAll(QueueBenchTasks.NOOP, inputs, JobOptions.defaults());
        long committed = System.nanoTime();
        while (store.finishCursor() - c0 < count) {
          Thread.sleep(2);
        }
        long t1 = System.nanoTime();
        double drain = (t1 - committed) / 1e9;
        double enq = (committed - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%s %,d no-op jobs, %d worker processes x %s slots: bulk enqueue %.2f s"
                + " = %,.0f jobs/s; drained in %.2f s = %,.0f jobs/s%n", round == 0 ? "warm-up" : "drain  ", count,
            workers, opts.getOrDefault("concurrency", "64"), enq, count / enq, drain, count / drain);
      }
      long ok = store.inspector().queueSummaries().stream().mapToLong(s -> s.count(JobState.SUCCEEDED)).sum();
      System.out.printf(Locale.ROOT, "check: %,d jobs SUCCEEDED in the store%n", ok);
    } finally {
      killAll();
    }
  }

  private void latency() throws Exception {
    for (boolean notify : new boolean[] {true, false}) {
      int samples = intOpt("samples", 1000);
      int workers = intOpt("workers", 2);
      String loc = location("latency_" + (schemaSeq++), notify);
      try (JobStore store = JobStores.open(loc); JobQueue q = JobQueue.builder(store).build()) {
        for (int i = 0; i < workers; i++) {
          startWorker(loc);
        }
        List<Long> lat = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
          int count = round == 0 ? Math.min(samples, 200) : samples;
          List<long[]> sent = new ArrayList<>();
          List<JobHandle<Long>> hs = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            Thread.sleep(ThreadLocalRandom.current().nextInt(5, 16)); // pacing: workers are idle at each enqueue
            long t = QueueBenchTasks.micros(Instant.now());
            hs.add(q.enqueue(QueueBenchTasks.STAMP, t));
            sent.add(new long[] {t});
          }
          lat.clear();
          for (int i = 0; i < hs.size(); i++) {
            lat.add(hs.get(i).result(Duration.ofMinutes(1)) - sent.get(i)[0]);
          }
        }
        Collections.sort(lat);
        System.out.printf(Locale.ROOT, "latency NOTIFY %s: %d samples, enqueue-to-start p50 %.2f ms, p99 %.2f ms,"
                + " max %.2f ms%n", notify ? "on " : "off", lat.size(), lat.get(lat.size() / 2) / 1e3,
            lat.get((int) (lat.size() * 0.99)) / 1e3, lat.get(lat.size() - 1) / 1e3);
      } finally {
        killAll();
      }
    }
  }

  private void startWorker(String location) throws IOException {
    List<String> cmd = List.of("--store", location, "--concurrency", opts.getOrDefault("concurrency", "64"),
        "--name", "pgbench" + workerSeq);
    ChildSpec spec = ChildSpec.builder("pg-bench worker" + workerSeq, PostgresBenchWorker.class.getName())
        .jvmOptions(List.of("-XX:+UseParallelGC")).args(cmd)
        .stderr(ProcessBuilder.Redirect.appendTo(dir.resolve("worker-" + (workerSeq++) + ".log").toFile())).build();
    Process p = JvmLauncher.processBuilder(spec).start();
    processes.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("READY")) {
      throw new IllegalStateException("worker process did not start; see " + dir);
    }
  }

  private void killAll() {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }
}
