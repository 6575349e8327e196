package dev.spindle.cli.queue;

import dev.spindle.cli.DurationArgs;
import dev.spindle.cli.ProgressBar;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.redis.RedisJobStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ./spindle status}: queues and their depths, workers, throughput and schedules. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Shows the queue: jobs per queue and state, live workers with their throughput, and recurring "
        + "schedules.", "Example: ./spindle status --watch 2s"})
public final class StatusCommand implements Callable<Integer> {
  /** The shortest --watch interval. */
  static final Duration MIN_WATCH = Duration.ofMillis(100);

  /** The most RUNNING jobs read to show what each worker runs. */
  static final int RUNNING_SHOWN = 1000;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Mixin
  JsonOption output = new JsonOption();

  @Option(names = "--watch", paramLabel = "DURATION", arity = "0..1", fallbackValue = "2s",
      description = "redraw every DURATION (default 2s, at least 100ms) until Ctrl-C")
  @Nullable String watch;

  @Override
  public Integer call() throws InterruptedException {
    Duration every = watch == null ? null : DurationArgs.parse(spec.commandLine(), watch);
    if (every != null && every.compareTo(MIN_WATCH) < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--watch must be at least "
          + MIN_WATCH.toMillis() + "ms (a shorter interval only burns a core): " + watch);
    }
    if (every != null && output.json) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--json prints one document: it cannot go with "
          + "--watch (run it in a loop instead)");
    }
    try (StoreBackend s = store.open()) {
      JobInspector in = s.inspector();
      if (output.json) {
        CliJson.print(System.out, json(s, in, storeNow(s)));
        return 0;
      }
      boolean clear = every != null && ProgressBar.hasTerminal();
      while (true) {
        if (clear) {
          System.out.print("\033[H\033[2J");
        }
        print(System.out, s, in, storeNow(s));
        System.out.flush();
        if (every == null) {
          return 0;
        }
        Thread.sleep(every.toMillis());
      }
    } catch (RuntimeException e) {
      return QueueSupport.fail("status", e);
    }
  }

  /**
   * What each worker runs now, from the RUNNING jobs (at most {@value #RUNNING_SHOWN} read): task
   * names with counts, e.g. {@code primes.check x3, demo.greet}, by worker id.
   */
  static Map<String, String> runningTasks(JobInspector in) {
    Map<String, Map<String, Integer>> byWorker = new TreeMap<>();
    for (JobInfo j : in.listJobs(JobFilter.all().withState(JobState.RUNNING).withLimit(RUNNING_SHOWN))) {
      if (j.workerId() != null) {
        byWorker.computeIfAbsent(j.workerId(), k -> new TreeMap<>()).merge(j.task(), 1, Integer::sum);
      }
    }
    Map<String, String> out = new TreeMap<>();
    byWorker.forEach((w, tasks) -> {
      StringBuilder sb = new StringBuilder();
      tasks.forEach((t, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(t).append(n > 1 ? " x" + n : ""));
      out.put(w, QueueSupport.cut(sb.toString(), 60));
    });
    return out;
  }

  /** The store's clock, on which leases are judged; this host's clock if the store cannot say. */
  private static Instant storeNow(StoreBackend s) {
    try {
      return s.storeTime();
    } catch (RuntimeException e) {
      return Clock.systemUTC().instant();
    }
  }

  /** A worker's clock skew for the CLOCK column: {@code +0.0s}, {@code -60.0s!} beyond the bound, or {@code -}. */
  static String skew(@Nullable Duration d) {
    if (d == null) {
      return "-";
    }
    String t = String.format(Locale.ROOT, "%+.1fs", d.toMillis() / 1000.0);
    return d.abs().compareTo(Worker.DEFAULT_CLOCK_SKEW_WARNING) > 0 ? t + "!" : t;
  }

  private static Duration max0(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * The status report as one JSON object (docs/CLI.md): {@code store}, {@code time}, {@code health}
   * (Redis only, else empty), {@code queues}, {@code totals} (jobs per state), {@code workers},
   * {@code throughput} (jobs/s of live workers), {@code unroutable} (waiting jobs whose task no live
   * worker of their queue knows: {@code queue}, {@code task}, {@code waiting}), {@code flowLimits} and
   * {@code schedules}.
   */
  static ObjectNode json(StoreBackend s, JobInspector in, Instant now) {
    ObjectNode o = CliJson.object();
    o.put("store", s.describe());
    o.put("time", now.toString());
    ArrayNode health = o.putArray("health");
    if (s instanceof RedisJobStore redis) {
      redis.health().forEach(health::add);
    }
    ArrayNode queues = o.putArray("queues");
    ObjectNode totals = CliJson.object();
    for (JobState st : JobState.values()) {
      totals.put(st.name(), 0L);
    }
    for (QueueSummary q : in.queueSummaries()) {
      queues.add(CliJson.queue(q));
      for (JobState st : JobState.values()) {
        totals.put(st.name(), totals.get(st.name()).asLong() + q.count(st));
      }
    }
    o.set("totals", totals);
    ArrayNode workers = o.putArray("workers");
    double rate = 0;
    for (WorkerRecord w : in.workers()) {
      workers.add(CliJson.worker(w, now));
      rate += w.isAlive(now) ? w.ratePerSecond() : 0;
    }
    o.put("throughput", rate);
    ArrayNode unroutable = o.putArray("unroutable");
    for (UnroutableTask u : in.unroutable(now)) {
      ObjectNode n = unroutable.addObject();
      n.put("queue", u.queue());
      n.put("task", u.task());
      n.put("waiting", u.waiting());
    }
    ArrayNode flows = o.putArray("flowLimits");
    // a store without flow control has no limits
    s.flowAdmin().map(FlowAdmin::limits).orElse(List.of()).forEach(l -> flows.add(CliJson.flow(l)));
    ArrayNode schedules = o.putArray("schedules");
    for (ScheduleRecord r : s.schedules()) {
      try {
        schedules.add(CliJson.schedule(Schedule.fromJson(r.definition()), r.nextFireAt(), r.lastFireAt()));
      } catch (RuntimeException e) {
        ObjectNode bad = CliJson.object();
        bad.put("name", r.name());
        bad.put("trigger", "(unreadable definition)");
        schedules.add(bad);
      }
    }
    return o;
  }

  /**
   * Prints the waiting jobs no live worker of their queue can run (nothing if there are none): they
   * wait for a worker that knows their task.
   */
  static void printUnroutable(PrintStream out, List<UnroutableTask> unroutable) {
    if (unroutable.isEmpty()) {
      return;
    }
    out.println();
    out.println("UNROUTABLE: waiting jobs whose task no live worker of their queue knows (they wait for a worker"
        + " that registers it: finish the deploy, or check the task name)");
    out.println(String.format(Locale.ROOT, "  %-20s %-40s %10s", "QUEUE", "TASK", "WAITING"));
    for (UnroutableTask u : unroutable) {
      out.println(String.format(Locale.ROOT, "  %-20s %-40s %,10d", QueueSupport.cut(u.queue(), 20),
          QueueSupport.cut(u.task(), 40), u.waiting()));
    }
  }

  /** Prints the status report of a store. */
  static void print(PrintStream out, StoreBackend s, JobInspector in, Instant now) {
    out.println("store: " + s.describe() + "   (" + QueueSupport.time(now) + ")");
    if (s instanceof RedisJobStore redis) {
      redis.health().forEach(out::println);
    }
    out.println();
    List<QueueSummary> queues = in.queueSummaries();
    JobState[] states = JobState.values();
    StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-20s %6s", "QUEUE", "LIMIT"));
    for (JobState st : states) {
      h.append(String.format(Locale.ROOT, " %10s", st.name()));
    }
    out.println(h);
    if (queues.isEmpty()) {
      out.println("(no jobs)");
    }
    long[] totals = new long[states.length];
    for (QueueSummary q : queues) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s %6s", QueueSupport.cut(q.queue(), 20),
          q.limit() == 0 ? "-" : Integer.toString(q.limit())));
      for (int i = 0; i < states.length; i++) {
        long c = q.count(states[i]);
        totals[i] += c;
        row.append(String.format(Locale.ROOT, " %,10d", c));
      }
      out.println(row);
    }
    if (queues.size() > 1) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s %6s", "(all)", ""));
      for (long t : totals) {
        row.append(String.format(Locale.ROOT, " %,10d", t));
      }
      out.println(row);
    }
    out.println();
    List<WorkerRecord> workers = in.workers();
    long alive = workers.stream().filter(w -> w.isAlive(now)).count();
    out.println("WORKERS: " + alive + " alive" + (workers.size() > alive ? ", " + (workers.size() - alive)
        + " with an expired lease (their jobs are being reclaimed)" : ""));
    if (!workers.isEmpty()) {
      Map<String, String> runs = runningTasks(in);
      out.println(String.format(Locale.ROOT, "%-40s %-10s %-16s %9s %12s %8s %9s %8s %10s %8s %-8s %s", "WORKER",
          "MODEL", "QUEUES", "RUNNING", "PROCESSED", "FAILED", "JOBS/S", "UP", "HEARTBEAT", "CLOCK", "STATE", "RUNS"));
      double rate = 0;
      for (WorkerRecord w : workers) {
        boolean live = w.isAlive(now);
        if (live) {
          rate += w.ratePerSecond();
        }
        out.println(String.format(Locale.ROOT, "%-40s %-10s %-16s %9s %,12d %,8d %9.1f %8s %10s %8s %-8s %s",
            QueueSupport.cut(w.id(), 40), w.model().toLowerCase(Locale.ROOT),
            QueueSupport.cut(String.join(",", w.queues()), 16), w.running() + "/" + w.concurrency(), w.processed(),
            w.failed(), w.ratePerSecond(), QueueSupport.human(max0(Duration.between(w.startedAt(), now))),
            QueueSupport.human(max0(Duration.between(w.heartbeatAt(), now))) + " ago", skew(w.clockSkew()),
            live ? w.state() : "EXPIRED", runs.getOrDefault(w.id(), "")));
      }
      for (WorkerRecord w : workers) {
        Duration d = w.clockSkew();
        if (d != null && d.abs().compareTo(Worker.DEFAULT_CLOCK_SKEW_WARNING) > 0) {
          out.println(String.format(Locale.ROOT, "clock: worker %s is %.1f s %s the store's clock (leases and due "
              + "times use the store's clock; its own timestamps and timeouts are off: check the host's time sync)",
              QueueSupport.cut(w.id(), 40), d.abs().toMillis() / 1000.0, d.isNegative() ? "behind" : "ahead of"));
        }
      }
      out.println(String.format(Locale.ROOT, "throughput: %,.1f jobs/s (live workers' recent rates)", rate));
    }
    printUnroutable(out, in.unroutable(now));
    List<dev.spindle.queue.FlowLimit> flows = s.flowAdmin().map(FlowAdmin::limits).orElse(List.of());
    if (!flows.isEmpty()) {
      out.println();
      out.println("FLOW LIMITS (./spindle flow why ID says what holds a waiting job)");
      flows.forEach(l -> out.println("  " + l.toSpec()));
    }
    List<ScheduleRecord> schedules = s.schedules();
    if (!schedules.isEmpty()) {
      out.println();
      out.println(String.format(Locale.ROOT, "%-24s %-36s %-20s %-20s %-20s", "SCHEDULE", "TRIGGER", "TASK",
          "NEXT", "LAST"));
      for (ScheduleRecord r : schedules) {
        String trigger;
        String task;
        try {
          Schedule sc = Schedule.fromJson(r.definition());
          trigger = sc.describeTrigger();
          task = sc.task();
        } catch (RuntimeException e) {
          trigger = "(unreadable definition)";
          task = "?";
        }
        out.println(String.format(Locale.ROOT, "%-24s %-36s %-20s %-20s %-20s", QueueSupport.cut(r.name(), 24),
            QueueSupport.cut(trigger, 36), QueueSupport.cut(task, 20), QueueSupport.time(r.nextFireAt()),
            QueueSupport.time(r.lastFireAt())));
      }
    }
  }
}
