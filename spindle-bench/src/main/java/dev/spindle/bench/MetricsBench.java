package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.redis.RedisServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The cost of metrics and tracing ({@code spindle-metrics}).
 *
 * <pre>
 * java -cp ... dev.spindle.bench.MetricsBench MODE [--option value ...]
 *
 * MODE  overhead  an in-process worker drains a backlog of no-op jobs with metrics and tracing off, metrics
 *                 only, and both on (in {@code BalancedOrders}), on SQLite and on Redis: jobs/s and this
 *                 JVM's CPU per job side by side, with the median of each round's ratio to "off" and a
 *                 95 % distribution-free interval of that median ({@code Medians.interval})
 *                 --jobs 20000 --rounds 5 --warmups 1 (rounds per variant left out of the figures) --concurrency 16
 *                 --prefetch 0 --stores sqlite,redis (--threads-cpu yes: each
 *                 drain's CPU per job by thread group; --contexts yes: a fourth variant, jobs that carry a
 *                 trace context drained by a worker without an observer; --variants off,metrics,on,contexts:
 *                 which run, the first the reference of the ratios; also on-unbound and contexts-unbound
 *                 (no store gauges) and bound (store gauges only), sampled (metrics + tracing with a head sampler,
 *                 parent-based trace-id ratio --sample 0.1) and unlinked (metrics + tracing, jobs enqueued
 *                 outside a span: no stored context, no link), no-ends (each attempt started and made current
 *                 as with "on", its end handed to the observer thread and dropped: no span, no timer) and
 *                 no-scope (the same, not made current), empty (an observer whose attempts do nothing: the
 *                 hand-over of their ends alone) and garbage (the same, each end allocating 2.3 KB, what a
 *                 traced attempt's end allocates), spans (the OpenTelemetry SDK's span alone, made straight
 *                 through its API as each end is delivered: no Observation, no meters; {@link BareSpans});
 *                 --pin yes: redis-server on CPU 0 and this JVM
 *                 on the other CPUs during the Redis drains, as when the broker runs on a host of its own)
 *       memory    the job observer under load with --queues 1000 x --tasks 1000 random names for
 *                 --minutes 5 (--threads 2, --tracing on|off): heap after GC, series and scrape size
 *                 every 30 s (flat = bounded)
 * </pre>
 *
 * Each drain prints the garbage collections, bytes allocated per job, the worker's jobs per store call
 * (how well it batches; {@code WorkerStats.storeCalls}) and the machine's idle and stolen shares
 * (steal: CPU time the hypervisor gave to other guests, which slows a drain whatever its variant);
 * on Redis also the server's CPU per job and its script calls per job (the server is emptied with
 * FLUSHALL after every drain, so each starts from the same state).
 *
 * <p>"On" is {@code SpindleMetrics} with a Prometheus registry and an OpenTelemetry SDK (batch span
 * processor, an exporter that discards), jobs enqueued inside a span so each carries a trace
 * context and each attempt makes a linked span.
 */
public final class MetricsBench {
  private static final Task<Integer, Integer> NOOP = Task.of("mbench.noop", Integer.class, Integer.class, x -> x);
  private final Map<String, String> opts;

  private MetricsBench(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: MetricsBench overhead|memory [--option value ...]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    MetricsBench b = new MetricsBench(o);
    System.out.printf(Locale.ROOT, "machine: %d cores, %s, max heap %d MiB%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    switch (args[0]) {
      case "overhead" -> b.overhead();
      case "memory" -> b.memory();
      default -> {
        System.err.println("unknown mode " + args[0]);
        System.exit(2);
      }
    }
  }

  private int intOpt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, Integer.toString(def)));
  }

  // ---------------------------------------------------------------- overhead

  private void overhead() throws Exception {
    int jobs = intOpt("jobs", 20_000);
    int rounds = intOpt("rounds", 5);
    int warmups = intOpt("warmups", 1);
    if (warmups < 0) {
      throw new IllegalArgumentException("--warmups must be 0 or more: " + warmups);
    }
    int concurrency = intOpt("concurrency", 16);
    int prefetch = intOpt("prefetch", 0);
    boolean threadsCpu = "yes".equals(opts.get("threads-cpu"));
    boolean contexts = "yes".equals(opts.get("contexts"));
    boolean pin = "yes".equals(opts.get("pin"));
    List<String> stores = List.of(opts.getOrDefault("stores", "sqlite,redis").split(","));
    Path dir = Files.createTempDirectory("spindle-mbench");
    System.out.printf(Locale.ROOT, "drain of %,d no-op jobs, 1 in-process worker, THREADS x %d, prefetch %d, %d rounds "
        + "+ %d warm-up per store, variants in balanced orders (each after each other one equally often)%n", jobs,
        concurrency, prefetch, rounds, warmups);
    @Nullable RedisServer redis = stores.contains("redis") ? RedisServer.builder().appendOnly(false).start() : null;
    double sample = Double.parseDouble(opts.getOrDefault("sample", "0.1"));
    DiscardingSpanExporter exporter = new DiscardingSpanExporter();
    DiscardingSpanExporter sampledExporter = new DiscardingSpanExporter();
    try (SdkTracerProvider tp = SdkTracerProvider.builder()
             .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxQueueSize(65_536).build()).build();
         OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tp).build();
         SdkTracerProvider sampledTp = SdkTracerProvider.builder()
             .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sample)))
             .addSpanProcessor(BatchSpanProcessor.builder(sampledExporter).setMaxQueueSize(65_536).build()).build();
         OpenTelemetrySdk sampledOtel = OpenTelemetrySdk.builder().setTracerProvider(sampledTp).build()) {
      int seq = 0;
      int cores = Runtime.getRuntime().availableProcessors();
      for (String store : stores) {
        // the Redis server of this store's drains, or null (SQLite)
        @Nullable RedisServer server = store.equals("redis") ? redis : null;
        if (pin && redis != null && cores > 1) {
          // the broker on its own core, as on its own host; this JVM on the others (all of them for SQLite)
          String jvmCpus = (server != null ? "1-" : "0-") + (cores - 1);
          pinToCpus(redis.pid(), "0");
          pinToCpus(ProcessHandle.current().pid(), jvmCpus);
          System.out.printf(Locale.ROOT, "pinned: redis-server on CPU 0, this JVM on CPUs %s%n", jvmCpus);
        }
        List<Variant> chosen = new ArrayList<>();
        for (String n : opts.getOrDefault("variants", contexts ? "off,metrics,on,contexts" : "off,metrics,on")
            .split(",")) {
          chosen.add(n.equals("off") ? Variant.OFF : Variant.named(n));
        }
        Variant[] variants = chosen.toArray(Variant[]::new);
        int nv = variants.length;
        List<List<Double>> rates = new ArrayList<>();
        List<List<Double>> cpus = new ArrayList<>();
        List<List<Double>> ratios = new ArrayList<>();
        List<List<Double>> dispatch = new ArrayList<>();
        for (int v = 0; v < nv; v++) {
          rates.add(new ArrayList<>());
          cpus.add(new ArrayList<>());
          ratios.add(new ArrayList<>());
          dispatch.add(new ArrayList<>());
        }
        List<int[]> orders = BalancedOrders.of(nv);
        for (int r = 1 - warmups; r <= rounds; r++) {
          double[] rate = new double[nv];
          int[] order = orders.get(Math.floorMod(r - 1, orders.size()));
          for (int k = 0; k < nv; k++) {
            int v = order[k]; // each variant after each other one equally often, over the cycle of orders
            String name = store + "-" + (seq++);
            double[] m;
            try (StoreBackend s = open(store, dir, name, redis)) {
              m = drainOnce(s, jobs, concurrency, prefetch, variants[v], variants[v].sampled() ? sampledOtel : otel,
                  threadsCpu, server);
            }
            if (server != null) {
              // every drain starts from an empty server: otherwise the keyspace grows drain after drain
              // (each in its own namespace) and the server's rehashing and memory land on some drains only
              server.command("FLUSHALL");
            }
            rate[v] = m[0];
            if (r > 0) {
              rates.get(v).add(m[0]);
              cpus.get(v).add(m[1]);
              dispatch.get(v).add(m[2]);
            }
            System.out.printf(Locale.ROOT, "  %-6s %s %-7s %,10.0f jobs/s  %6.1f us CPU per job, dispatcher %4.1f us, "
                + "%,.0f bytes written per job%n", store, r <= 0 ? "warm-up" : "round " + r, variants[v].name(), m[0],
                m[1], m[2], m[3]);
          }
          if (r > 0) {
            for (int v = 1; v < nv; v++) {
              ratios.get(v).add(rate[v] / rate[0]);
            }
          }
        }
        double cOff = Medians.median(cpus.get(0));
        double dOff = Medians.median(dispatch.get(0));
        System.out.printf(Locale.ROOT, "%-6s " + variants[0].name() + ": %,.0f jobs/s, %.1f us CPU per job, dispatcher thread %.2f us%n", store,
            Medians.median(rates.get(0)), cOff, dOff);
        for (int v = 1; v < nv; v++) {
          double ratio = Medians.median(ratios.get(v));
          double c = Medians.median(cpus.get(v));
          double d = Medians.median(dispatch.get(v));
          List<Double> rs = ratios.get(v);
          double[] ci = Medians.interval(rs);
          System.out.printf(Locale.ROOT, "%-6s %s: %,.0f jobs/s, median of paired ratios to %s %.3f (%+.1f %%, "
              + "95 %% interval of the median %+.1f to %+.1f %%, rounds from %.2f to %.2f); %.1f us CPU per job "
              + "(%+.1f %%), dispatcher thread %.2f us (%+.2f us)%n",
              store, variants[v].title(), Medians.median(rates.get(v)), variants[0].name(), ratio, (ratio - 1) * 100,
              (ci[0] - 1) * 100, (ci[1] - 1) * 100, Collections.min(rs), Collections.max(rs), c, (c / cOff - 1) * 100, d,
              d - dOff);
        }
      }
      tp.forceFlush().join(10, TimeUnit.SECONDS);
      sampledTp.forceFlush().join(10, TimeUnit.SECONDS);
      System.out.printf(Locale.ROOT, "spans exported (discarded): %,d; with the sampler (ratio %s): %,d%n",
          exporter.spans(), sample, sampledExporter.spans());
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static String redisUrl(@Nullable RedisServer redis) {
    return Objects.requireNonNull(redis, "redis-server was not started").url();
  }

  private static StoreBackend open(String store, Path dir, String name, @Nullable RedisServer redis) {
    return switch (store) {
      case "sqlite" -> SqliteJobStore.open(dir.resolve(name + ".db"));
      case "redis" -> RedisJobStore.open(RedisStoreConfig.fromUrl(redisUrl(redis)
          + (redisUrl(redis).contains("?") ? "&" : "?") + "namespace=" + name, Map.of()));
      default -> throw new IllegalArgumentException("unknown store " + store + ": sqlite or redis");
    };
  }

  /**
   * The CPU time of the running worker's dispatcher thread (the serial loop that writes outcomes and
   * claims jobs: what bounds a no-op drain), in nanoseconds.
   */
  private static long dispatcherCpuNanos() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("spindle-worker-") && t.getName().endsWith("-dispatch")) {
        sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
      }
    }
    return sum;
  }

  /**
   * CPU time so far of this JVM's live threads, summed by group: the thread's name with its digits
   * and hex ids dropped ({@code spindle-worker-w-dispatch}, {@code BatchSpanProcessor_WorkerThread}),
   * plus {@code "(jvm: gc, jit, exited threads)"}: the process's CPU time less the threads' sum.
   */
  private static Map<String, Long> cpuByThreadGroup() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new java.util.TreeMap<>();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long c = mx.getThreadCpuTime(t.threadId());
      if (c > 0) {
        groups.merge(t.getName().replaceAll("[0-9a-f]{6,}|[0-9]+", "#"), c, Long::sum);
        sum += c;
      }
    }
    groups.put("(jvm: gc, jit, exited threads)", ProcessCpu.nanos() - sum);
    return groups;
  }

  /**
   * The scheduler's counts for the worker's dispatcher thread (this JVM's busiest thread whose name
   * starts {@code spindle-worker-}, as far as the kernel's 15 characters tell): its voluntary
   * switches (it waited), involuntary ones (it was preempted) and migrations between CPUs since it
   * started, per 1,000 jobs, from {@code /proc/self/task/<tid>/sched}; empty where there is none.
   */
  private static String dispatcherSwitches(int jobs) {
    Map<String, Double> best = Map.of();
    double bestRuntime = -1;
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          if (!Files.readString(t.resolve("comm")).startsWith("spindle-worker-")) {
            continue;
          }
          Map<String, Double> f = new java.util.HashMap<>();
          for (String line : Files.readAllLines(t.resolve("sched"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
              try {
                f.put(line.substring(0, colon).trim(), Double.parseDouble(line.substring(colon + 1).trim()));
              } catch (NumberFormatException e) {
                // a line that is not one number
              }
            }
          }
          String statLine = Files.readString(t.resolve("stat"));
          String[] stat = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
          f.put("utime", Double.parseDouble(stat[11]));
          f.put("stime", Double.parseDouble(stat[12]));
          double runtime = f.getOrDefault("se.sum_exec_runtime", 0.0);
          if (runtime > bestRuntime) {
            bestRuntime = runtime;
            best = f;
          }
        } catch (java.io.IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      return "";
    }
    double per = 1000.0 / jobs;
    return best.isEmpty() ? "" : String.format(Locale.ROOT,
        "dispatcher thread per 1,000 jobs: %.1f voluntary switches, %.1f involuntary, %.1f migrations; "
        + "%.0f %% of its CPU time in the kernel",
        best.getOrDefault("nr_voluntary_switches", 0.0) * per, best.getOrDefault("nr_involuntary_switches", 0.0) * per,
        best.getOrDefault("se.nr_migrations", 0.0) * per, 100 * best.getOrDefault("stime", 0.0)
            / Math.max(1, best.getOrDefault("utime", 0.0) + best.getOrDefault("stime", 0.0)));
  }

  /**
   * The bytes this process has handed to write calls so far ({@code wchar} of {@code /proc/self/io}:
   * for SQLite mostly WAL frames and checkpoints, a figure the machine's load does not change), or 0
   * where there is no such file.
   */
  private static long bytesWritten() {
    return procField(Path.of("/proc/self/io"), "wchar");
  }

  /** The number after {@code key:} in a {@code /proc} file of such lines; 0 without that file or line. */
  private static long procField(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key + ":")) {
          return Long.parseLong(line.substring(key.length() + 1).trim());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** Sets the CPUs a process's threads (and the threads they start) may run on, with {@code taskset}. */
  private static void pinToCpus(long pid, String cpus) throws java.io.IOException, InterruptedException {
    Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " failed: " + out);
    }
  }

  /**
   * The server's script calls since its statistics were reset ({@code INFO commandstats}: FCALL, EVAL and
   * EVALSHA): how many per job and the server's microseconds per call. A worker that takes fewer jobs
   * per exchange makes more calls, each with the script's fixed cost.
   */
  private static String scriptCalls(RedisServer server, int jobs) {
    long calls = 0;
    long usec = 0;
    for (String line : String.valueOf(server.command("INFO", "commandstats")).split("\r\n")) {
      if (line.startsWith("cmdstat_fcall:") || line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
          if (kv.startsWith("calls=")) {
            calls += Long.parseLong(kv.substring(6));
          } else if (kv.startsWith("usec=")) {
            usec += Long.parseLong(kv.substring(5));
          }
        }
      }
    }
    return String.format(Locale.ROOT, "%.3f script calls per job, %.0f us each", calls / (double) jobs,
        usec / (double) Math.max(1, calls));
  }

  /** The Redis server's CPU time so far in nanoseconds (0 if unknown, or there is no server). */
  private static long serverCpuNanos(@Nullable RedisServer server) {
    if (server == null) {
      return 0;
    }
    return ProcessHandle.of(server.pid()).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos)
        .orElse(0L);
  }

  /**
   * The times {@code redis-server} was preempted so far ({@code nonvoluntary_ctxt_switches} of its
   * {@code /proc/<pid>/status}); 0 without a server or such a file.
   */
  private static long serverPreemptions(@Nullable RedisServer server) {
    return server == null ? 0
        : procField(Path.of("/proc", Long.toString(server.pid()), "status"), "nonvoluntary_ctxt_switches");
  }

  /**
   * The machine's CPU ticks so far from {@code /proc/stat}: {all, idle, stolen} (idle: idle and iowait); zeros
   * where there is no such file. The share of idle ticks during a drain says whether the drain is
   * bound by CPU or by waiting (the store's round trips).
   */
  private static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length; i++) {
        all += Long.parseLong(f[i]);
      }
      // idle + iowait; steal: time the hypervisor gave this machine's CPUs to someone else
      return new long[] {all, Long.parseLong(f[4]) + Long.parseLong(f[5]), f.length > 8 ? Long.parseLong(f[8]) : 0};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {0, 0, 0};
    }
  }

  /** The share (%) of all the machine's ticks between two {@link #machineTicks} that went to entry {@code kind}. */
  private static double tickShare(long[] before, long[] after, int kind) {
    return 100.0 * (after[kind] - before[kind]) / Math.max(1, after[0] - before[0]);
  }

  /** Collections and their milliseconds so far, all collectors. */
  private static long[] gcCountAndMillis() {
    long n = 0;
    long ms = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
      ms += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {n, ms};
  }

  /** Bytes allocated so far by this JVM's live threads. */
  private static long allocatedBytes() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    return mx.getTotalThreadAllocatedBytes();
  }

  /**
   * What one drain turns on: {@code metrics} builds a {@link SpindleMetrics} whose observer the queue
   * (enqueue) gets, {@code tracing} gives it the OpenTelemetry SDK (jobs are enqueued inside a span,
   * so each stores a trace context), {@code worker} says what the worker observes ({@link WorkerObserves}),
   * {@code bindStore} binds the store's gauges, {@code sampled} uses the SDK with the head sampler.
   */
  private record Variant(String name, String title, boolean metrics, boolean tracing, WorkerObserves worker,
      boolean bindStore, boolean sampled, boolean enqueueTraced) {
    static final Variant OFF = new Variant("off", "off", false, false, WorkerObserves.NOTHING, false, false, false);

    Variant(String name, String title, boolean metrics, boolean tracing, WorkerObserves worker, boolean bindStore) {
      this(name, title, metrics, tracing, worker, bindStore, false, tracing);
    }

    static Variant named(String name) {
      return switch (name) {
        case "metrics" -> new Variant(name, "metrics only", true, false, WorkerObserves.ALL, true);
        case "on" -> new Variant(name, "metrics + tracing", true, true, WorkerObserves.ALL, true);
        // the same without the store's gauges (bound before the drain, read once then)
        case "on-unbound" -> new Variant(name, "metrics + tracing, no store gauges", true, true, WorkerObserves.ALL, false);
        // the worker's share of "on" without the observer's work: each attempt started and made current
        // on the task's thread, its end handed to the observer thread but not passed on (no span, no
        // timer); no-scope: not made current either
        case "no-ends" -> new Variant(name, "attempts scoped, ends not delivered", true, true,
            WorkerObserves.STARTS_AND_SCOPES, true);
        case "no-scope" -> new Variant(name, "attempts not scoped, ends not delivered", true, true,
            WorkerObserves.STARTS, true);
        case "sampled" -> new Variant(name, "metrics + tracing, head-sampled", true, true, WorkerObserves.ALL, true, true, true);
        // spans made, but the jobs carry no stored context (enqueued outside a span): the span's own
        // cost, without the store's
        case "unlinked" -> new Variant(name, "metrics + tracing, no stored context", true, true, WorkerObserves.ALL, true, false,
            false);
        // jobs enqueued with a trace context, drained by a worker without an observer: what the
        // stored context alone costs the store and the worker
        case "contexts" -> new Variant(name, "contexts, no observer", true, true, WorkerObserves.NOTHING, true);
        case "contexts-unbound" -> new Variant(name, "contexts, no observer, no store gauges", true, true, WorkerObserves.NOTHING,
            false);
        case "bound" -> new Variant(name, "no observer, store gauges bound", true, false, WorkerObserves.NOTHING, true);
        // the hand-over of attempt ends alone: an observer whose attempts do nothing; garbage: whose
        // attempts' ends allocate about what a traced attempt's end does (2.3 KB), and nothing else
        case "empty" -> new Variant(name, "an observer that does nothing", false, false, WorkerObserves.EMPTY, false);
        case "garbage" -> new Variant(name, "an observer that allocates 2.3 KB per end", false, false,
            WorkerObserves.GARBAGE, false);
        // the OpenTelemetry SDK's span alone: each attempt's end makes the span "on" makes (same name,
        // attributes, link and times), with no Observation, no meters and none of spindle-metrics' code
        case "spans" -> new Variant(name, "the SDK's span alone", true, true, WorkerObserves.SPANS, false);
        default -> throw new IllegalArgumentException("unknown variant " + name
            + ": metrics, on, on-unbound, no-ends, no-scope, sampled, unlinked, contexts, contexts-unbound, bound, empty, garbage"
            + " or spans");
      };
    }
  }

  /**
   * What a drain's worker observes: nothing, everything, or (no-ends, no-scope) each attempt's start
   * and optionally its scope, its end handed over to the observer thread but not passed on; or (empty,
   * garbage) an observer of the bench's own whose attempts do nothing, or only allocate.
   */
  private enum WorkerObserves {
    NOTHING, ALL, STARTS_AND_SCOPES, STARTS, EMPTY, GARBAGE, SPANS;

    /** Where {@link #GARBAGE}'s allocations go now and then, so they cannot be optimized away. */
    static volatile Object sink = new Object();

    /** The observer a worker gets for this, from the drain's {@code observer} and OpenTelemetry (or null). */
    JobObserver of(JobObserver observer, @Nullable OpenTelemetrySdk otel) {
      return switch (this) {
        case NOTHING -> JobObserver.NONE;
        case ALL -> observer;
        case STARTS_AND_SCOPES, STARTS -> startsOnly(observer, this == STARTS_AND_SCOPES);
        case EMPTY, GARBAGE -> idle(this == GARBAGE);
        case SPANS -> BareSpans.observer(Objects.requireNonNull(otel, "spans needs tracing").getTracer("dev.spindle.queue"));
      };
    }

    private static JobObserver idle(boolean garbage) {
      return new JobObserver() {
        @Override
        public Attempt started(JobInfo job, Duration waited) {
          return new Attempt() {
            @Override
            public void finished(Outcome outcome, Duration runTime, @Nullable JobError error) {
              if (garbage) {
                Object[] held = new Object[36];
                for (int i = 0; i < held.length; i++) {
                  held[i] = new long[6]; // 64 bytes each, as the small objects of a span and its data
                }
                if ((System.nanoTime() & 1023) == 0) {
                  sink = held;
                }
              }
            }
          };
        }
      };
    }

    private static JobObserver startsOnly(JobObserver observer, boolean scoped) {
      return new JobObserver() {
        @Override
        public Attempt started(JobInfo job, Duration waited) {
          Attempt a = observer.started(job, waited);
          return new Attempt() {
            @Override
            public JobObserver.Scope open() {
              return scoped ? a.open() : JobObserver.Scope.NOOP;
            }
          };
        }
      };
    }
  }

  /** One drain: {jobs/s, this JVM's CPU microseconds per job, its dispatcher thread's}. */
  private static double[] drainOnce(StoreBackend store, int jobs, int concurrency, int prefetch, Variant variant,
      OpenTelemetrySdk sdk, boolean threadsCpu, @Nullable RedisServer server) throws Exception {
    SpindleMetrics metrics = null;
    @Nullable OpenTelemetrySdk otel = variant.tracing() ? sdk : null;
    boolean workerObserves = variant.worker() != WorkerObserves.NOTHING;
    if (variant.metrics()) {
      SpindleMetrics.Builder mb = SpindleMetrics.builder();
      if (otel != null) {
        mb.tracing(otel);
      }
      metrics = mb.build();
    }
    JobObserver observer = metrics == null ? JobObserver.NONE : metrics.observer();
    TaskRegistry registry = TaskRegistry.builder().add(NOOP).build();
    try (JobQueue q = JobQueue.builder(store).registry(registry).observer(observer).build()) {
      Span span = otel == null || !variant.enqueueTraced() ? Span.getInvalid()
          : otel.getTracer("bench").spanBuilder("produce").startSpan();
      try (Scope sc = span.makeCurrent()) {
        for (int from = 0; from < jobs; from += 1000) {
          q.enqueueAll(NOOP, Collections.nCopies(Math.min(1000, jobs - from), 1), JobOptions.defaults());
        }
      } finally {
        span.end();
      }
      if (metrics != null && variant.bindStore()) {
        metrics.bindStore(store);
      }
      Map<String, Long> g0 = threadsCpu ? cpuByThreadGroup() : Map.of();
      long t0 = System.nanoTime();
      long c0 = ProcessCpu.nanos();
      long w0 = bytesWritten();
      long[] gc0 = gcCountAndMillis();
      long alloc0 = allocatedBytes();
      long server0 = serverCpuNanos(server);
      long preempted0 = serverPreemptions(server);
      if (server != null) {
        server.command("CONFIG", "RESETSTAT"); // the scripts' calls below are the drain's
      }
      long[] machine0 = machineTicks();
      try (Worker w = q.worker().model(ExecutionModel.THREADS).concurrency(concurrency).prefetch(prefetch)
          .observer(variant.worker().of(observer, otel))
          .pollInterval(Duration.ofMillis(50)).start()) {
        if (metrics != null) {
          metrics.bindExecutor(() -> w.executorStats().orElse(null));
        }
        while (w.stats().succeeded() < jobs) {
          // every 10 ms: at most 0.07 % of a drain of 15 s, without a thousand wake-ups a second that
          // take a core from the worker's threads on a small machine
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        long t1 = System.nanoTime();
        long c1 = ProcessCpu.nanos();
        long w1 = bytesWritten();
        long dispatcher = dispatcherCpuNanos();
        long[] gc1 = gcCountAndMillis();
        long server1 = serverCpuNanos(server);
        long[] machine1 = machineTicks();
        long calls = Math.max(1, w.stats().storeCalls());
        System.out.printf(Locale.ROOT, "    gc %s: %d collections, %d ms; %,.0f bytes allocated per job; %.2f jobs per "
            + "store call, one every %.0f us%s; machine idle %.0f %%, stolen %.1f %%%n",
            variant.name(), gc1[0] - gc0[0], gc1[1] - gc0[1], (allocatedBytes() - alloc0) / (double) jobs,
            jobs / (double) calls, (t1 - t0) / 1e3 / calls,
            server == null ? "" : String.format(Locale.ROOT, "; redis-server %.1f us CPU per job, preempted %.1f "
                + "times per 1,000 jobs, %s", (server1 - server0) / 1e3 / jobs,
                (serverPreemptions(server) - preempted0) * 1000.0 / jobs, scriptCalls(server, jobs)),
            tickShare(machine0, machine1, 1), tickShare(machine0, machine1, 2));
        if (threadsCpu) {
          StringBuilder b = new StringBuilder("    CPU us per job by thread group:");
          cpuByThreadGroup().forEach((k, v) -> {
            double us = (v - g0.getOrDefault(k, 0L)) / 1e3 / jobs;
            if (us >= 0.05) {
              b.append(String.format(Locale.ROOT, " %s %.2f;", k, us));
            }
          });
          System.out.println(b);
          System.out.println("    " + dispatcherSwitches(jobs));
        }
        if (metrics != null && workerObserves && !metrics.scrape().contains("spindle_jobs_succeeded_total")) {
          throw new IllegalStateException("no metrics recorded");
        }
        return new double[] {jobs / ((t1 - t0) / 1e9), (c1 - c0) / 1e3 / jobs, dispatcher / 1e3 / jobs,
            (w1 - w0) / (double) jobs};
      }
    }
  }

  // ---------------------------------------------------------------- memory

  private void memory() throws Exception {
    int queues = intOpt("queues", 1000);
    int tasks = intOpt("tasks", 1000);
    double minutes = Double.parseDouble(opts.getOrDefault("minutes", "5"));
    int threads = intOpt("threads", 2);
    String[] queueNames = new String[queues];
    String[] taskNames = new String[tasks];
    for (int i = 0; i < queues; i++) {
      queueNames[i] = "queue-" + i;
    }
    for (int i = 0; i < tasks; i++) {
      taskNames[i] = "task.n" + i;
    }
    DiscardingSpanExporter exporter = new DiscardingSpanExporter();
    try (SdkTracerProvider tp = SdkTracerProvider.builder()
             .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxQueueSize(65_536).build()).build();
         OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tp).build()) {
      boolean tracing = !"off".equals(opts.get("tracing"));
      SpindleMetrics.Builder mb = SpindleMetrics.builder();
      if (tracing) {
        mb.tracing(otel);
      }
      SpindleMetrics metrics = mb.build();
      JobObserver obs = metrics.observer();
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder done = new LongAdder();
      List<Thread> load = new ArrayList<>();
      JobObserver.Outcome[] outcomes = JobObserver.Outcome.values();
      for (int t = 0; t < threads; t++) {
        load.add(Thread.ofPlatform().name("load-" + t).start(() -> {
          ThreadLocalRandom rnd = ThreadLocalRandom.current();
          long id = 0;
          Span parent = otel.getTracer("bench").spanBuilder("produce").startSpan();
          String ctx;
          try (Scope sc = parent.makeCurrent()) {
            ctx = obs.captureContext("q", "t");
          }
          parent.end();
          Instant now = Instant.now();
          while (!stop.get()) {
            String q = queueNames[rnd.nextInt(queues)];
            String task = taskNames[rnd.nextInt(tasks)];
            obs.enqueued(q, task);
            JobInfo job = new JobInfo(Long.toString(++id), task, q, JobState.RUNNING, 0, "1", null, null, null, null,
                1, 0, 0, 1, "w", false, now, now, now, null, null, 0, JobPolicy.defaults(), ctx);
            JobObserver.Attempt a = obs.started(job, Duration.ofMillis(rnd.nextInt(1000)));
            try (JobObserver.Scope s = a.open()) {
              a.traceContext();
            }
            JobObserver.Outcome o = rnd.nextInt(100) < 90 ? JobObserver.Outcome.SUCCEEDED
                : outcomes[rnd.nextInt(outcomes.length)];
            a.finished(o, Duration.ofMillis(rnd.nextInt(2000)), null);
            done.increment();
          }
        }));
      }
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      long step = Math.min(TimeUnit.SECONDS.toNanos(30), (end - start) / 4);
      System.out.printf(Locale.ROOT, "%d queues x %d task names (random pairs), %d load threads, tracing %s, "
          + "%.1f min%n", queues, tasks, threads, tracing ? "on" : "off", minutes);
      System.out.println("     t  attempts   heap after GC  pair series  scrape bytes");
      long next = start;
      while (true) {
        long now = System.nanoTime();
        if (now >= next) {
          String text = metrics.scrape();
          System.gc();
          long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
          System.out.printf(Locale.ROOT, "%5.0fs %,10d %11.1f MiB %12d %13d%n", (now - start) / 1e9, done.sum(),
              heap / 1048576.0, metrics.jobSeries(), text.length());
          if (now >= end) {
            break;
          }
          next += step;
        }
        LockSupport.parkNanos(Math.max(1, Math.min(next, end) - System.nanoTime()));
        if (System.nanoTime() >= end && next > end) {
          next = end;
        }
      }
      stop.set(true);
      for (Thread t : load) {
        t.join();
      }
      System.out.printf(Locale.ROOT, "spans exported (discarded): %,d%n", exporter.spans());
    }
  }
}
