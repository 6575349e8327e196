package dev.spindle.cli.queue;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.cli.ProgressBar;
import dev.spindle.examples.primes.PrimeDataset;
import dev.spindle.examples.primes.PrimeReport;
import dev.spindle.examples.primes.PrimeResult;
import dev.spindle.examples.primes.PrimeTasks;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.StoreBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code ./spindle demo}: the durable queue end to end on the embedded SQLite store. Enqueues the
 * text's 20 prime checks and jobs that show delays, retries, unique keys, dead letters, timeouts,
 * cancellation and a recurring schedule; runs worker processes on the same database file; shows
 * progress and results; exits 0 if every job ended as expected.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"End-to-end demo of the durable queue on the embedded SQLite store: enqueues the 20 prime "
        + "checks of Fluent Python's procs.py and jobs showing delays, retries, unique keys, dead letters, timeouts, "
        + "cancellation and a recurring schedule; runs worker processes sharing one database file; prints progress "
        + "and results.", "Example: ./spindle demo --workers 2"})
public final class DemoCommand implements Callable<Integer> {
  private static final Set<Long> PRIMES = Set.of(2L, 142702110479723L, 299593572317531L, 3333333333333301L,
      4444444444444423L, 5555555555555503L, 6666666666666719L, 7777777777777753L, 9999999999999917L);
  private static final String QUEUE = "demo";
  /** A task no worker of the demo knows: its job waits, listed as unroutable. */
  private static final String UNKNOWN_TASK = "billing.charge";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "2",
      description = "worker processes (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "2",
      description = "jobs each worker runs at once (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--in-process", description = "run the workers as threads of this process instead of child JVMs")
  boolean inProcess;

  /** The store: the default one unless --store names another, so that ./spindle status shows the demo's jobs. */
  @CommandLine.Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Option(names = "--dashboard", description = "after the demo, keep its store open in the web dashboard until Ctrl-C")
  boolean dashboard;

  @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "8075",
      description = "the dashboard's port (default: ${DEFAULT-VALUE}; it binds 127.0.0.1)")
  int dashboardPort;

  private final List<Process> processes = new ArrayList<>();
  private final List<Worker> threadWorkers = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || workers > 16) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be within 1..16");
    }
    PrintStream out = System.out;
    long t0 = System.nanoTime();
    String location = this.store.location();
    java.time.Instant started = Clock.systemUTC().instant();
    try (StoreBackend store = JobStores.open(location);
         JobQueue q = JobQueue.builder(store).registry(QueueSupport.defaultRegistry())
             .defaults(JobOptions.builder().queue(QUEUE).build()).build()) {
      JobInspector inspector = store.inspector();
      out.println("Spindle demo: a durable job queue on one embedded SQLite file, shared by worker processes");
      out.println("  store    " + store.describe() + " (WAL mode, synchronous=NORMAL)");
      out.println("  workers  " + workers + (inProcess ? " in-process workers" : " worker processes") + " x "
          + concurrency + " slots (threads model), consuming queue '" + QUEUE + "'");
      out.println();

      // 1. the jobs
      List<Long> numbers = PrimeDataset.TEXT.numbers();
      List<JobHandle<PrimeResult>> primes = q.enqueueAll(PrimeTasks.CHECK, numbers, q.defaults());
      JobHandle<String> greet = q.enqueue(DemoTasks.GREET, "world", opts().delay(Duration.ofSeconds(1)).build());
      JobHandle<Integer> flaky = q.enqueue(DemoTasks.FLAKY, 2, opts().retry(RetryPolicy.builder().maxAttempts(3)
          .initialDelay(Duration.ofMillis(200)).multiplier(2).jitter(0.1).build()).build());
      JobOptions unique = opts().uniqueKey("demo-report-2030-01").build();
      JobHandle<String> report = q.enqueue(DemoTasks.GREET, "report", unique);
      JobHandle<String> again = q.enqueue(DemoTasks.GREET, "report again", unique);
      JobQueue anyTask = JobQueue.builder(store).build();
      JobHandle<JsonNode> unknown = anyTask.enqueue(UNKNOWN_TASK, "{\"amount\": 42}",
          opts().build());
      anyTask.close();
      JobHandle<Long> slow = q.enqueue(DemoTasks.SLEEP, 10_000L, opts().timeout(Duration.ofMillis(300))
          .retry(RetryPolicy.none()).build());
      JobHandle<Long> doomed = q.enqueue(DemoTasks.SLEEP, 60_000L, opts().delay(Duration.ofMinutes(5)).build());
      doomed.cancel();
      q.addSchedule(Schedule.every("demo-tick", Duration.ofSeconds(1)).task(DemoTasks.TICK, "tick")
          .options(opts().build()).build());
      out.println("Enqueued (before any worker runs, so nothing is held in a worker's memory):");
      out.printf(Locale.ROOT, "  %-46s %s%n", "20 prime checks (primes.check), one batch", "jobs " + primes.get(0).id()
          + "-" + primes.get(19).id());
      out.printf(Locale.ROOT, "  %-46s job %s%n", "a greeting delayed by 1 s", greet.id());
      out.printf(Locale.ROOT, "  %-46s job %s%n", "a flaky job: fails twice, retried with backoff", flaky.id());
      out.printf(Locale.ROOT, "  %-46s job %s, again -> job %s (%s)%n", "a job with a unique key, enqueued twice",
          report.id(), again.id(), again.isNew() ? "NEW: unique key not honoured" : "the existing job");
      out.printf(Locale.ROOT, "  %-46s job %s%n", "a job of a task no worker knows", unknown.id());
      out.printf(Locale.ROOT, "  %-46s job %s%n", "a 10 s job with a 300 ms timeout", slow.id());
      out.printf(Locale.ROOT, "  %-46s job %s%n", "a delayed job, cancelled before it ran", doomed.id());
      out.printf(Locale.ROOT, "  %-46s %s%n", "a recurring schedule, every second", "demo-tick");
      out.println();
      out.flush();

      // 2. the workers
      startWorkers(location, store);
      List<JobHandle<?>> all = new ArrayList<>(primes);
      all.addAll(List.of(greet, flaky, report, slow, doomed));
      int finished = 0;
      try (ProgressBar bar = ProgressBar.onStderr("jobs", all.size())) {
        for (JobHandle<?> h : all) {
          JobInfo j = h.await(Duration.ofMinutes(5));
          finished++;
          bar.step(j.task() + " " + j.state().name().toLowerCase(Locale.ROOT));
        }
      }
      // let the recurring schedule fire a few ticks, then remove it at runtime
      long ticksWanted = 3;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ticks(inspector, started).size() < ticksWanted && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      q.removeSchedule("demo-tick");
      boolean unknownShown = awaitUnroutable(inspector, UNKNOWN_TASK, deadline);

      // 3. the results
      out.println();
      out.println("Prime checks, in the order they finished (P = prime; time measured by the worker):");
      List<JobInfo> done = new ArrayList<>();
      for (JobHandle<PrimeResult> h : primes) {
        done.add(h.info().orElseThrow());
      }
      done.sort(Comparator.comparing(JobInfo::finishSeq));
      Map<String, String> workerNames = workerNames(inspector);
      int primeCount = 0;
      boolean primesOk = true;
      for (JobInfo j : done) {
        PrimeResult r = q.job(j.id(), PrimeTasks.CHECK).result(Duration.ZERO);
        out.println(PrimeReport.row(r) + "   " + workerNames.getOrDefault(j.workerId(), j.workerId()));
        primeCount += r.prime() ? 1 : 0;
        primesOk &= r.prime() == PRIMES.contains(r.n());
      }
      out.printf(Locale.ROOT, "%d checks, %d primes%n", done.size(), primeCount);
      out.println();
      out.println("Other jobs:");
      boolean ok = primesOk && primeCount == PRIMES.size();
      ok &= line(out, greet, JobState.SUCCEEDED, "ran after its delay");
      ok &= line(out, flaky, JobState.SUCCEEDED, "succeeded on attempt 3 after 2 failures");
      ok &= line(out, report, JobState.SUCCEEDED, "ran once; the duplicate enqueue returned it")
          && !again.isNew() && again.id().equals(report.id());
      ok &= line(out, unknown, JobState.QUEUED, "waits for a worker that knows its task; listed as unroutable")
          && unknownShown;
      ok &= line(out, slow, JobState.FAILED, "stopped by its timeout");
      ok &= line(out, doomed, JobState.CANCELLED, "cancelled before it ran; never started");
      List<JobInfo> ticks = ticks(inspector, started);
      long distinct = ticks.stream().map(JobInfo::uniqueKey).distinct().count();
      boolean ticksOk = ticks.size() >= ticksWanted && distinct == ticks.size();
      out.printf(Locale.ROOT, "  %-6s %-15s %s%n", "-", "demo-tick", ticks.size() + " ticks fired " + ticks.size()
          + " jobs across " + workers + " workers: " + (ticksOk ? "exactly once per tick" : "NOT once per tick")
          + "; schedule removed at runtime");
      ok &= ticksOk;
      out.println();
      StatusCommand.print(out, store, inspector, Clock.systemUTC().instant());
      store.cancel(unknown.id(), Clock.systemUTC().instant());
      out.printf(Locale.ROOT, "(job %s cancelled: no worker of this demo will ever know %s)%n", unknown.id(), UNKNOWN_TASK);
      out.println();
      String where = this.store.store == null ? "" : " --store " + location;
      out.printf(Locale.ROOT, "Demo %s in %.1f s. Explore: ./spindle status%s ; ./spindle jobs list%s"
          + " ; ./spindle jobs show %s%s%n", ok ? "finished" : "FAILED", (System.nanoTime() - t0) / 1e9, where,
          where, unknown.id(), where);
      if (!ok) {
        System.err.println("spindle demo: some jobs did not end as expected (see above)");
      }
      if (dashboard) {
        stopWorkers();
        out.println();
        DashboardCommand.serve(out, store, DashboardCommand.Network.loopback(), dashboardPort, null,
            QueueSupport.defaultRegistry());
      }
      return ok && finished == all.size() ? 0 : 1;
    } finally {
      stopWorkers();
    }
  }

  /**
   * Waits (until {@code deadline}, {@link System#nanoTime}) until the store lists waiting jobs of
   * {@code task} that no live worker knows; false if it never did.
   */
  private static boolean awaitUnroutable(JobInspector inspector, String task, long deadline)
      throws InterruptedException {
    while (true) {
      boolean listed = inspector.unroutable(Clock.systemUTC().instant()).stream()
          .anyMatch(u -> u.task().equals(task));
      if (listed || System.nanoTime() >= deadline) {
        return listed;
      }
      Thread.sleep(50);
    }
  }

  private static JobOptions.Builder opts() {
    return JobOptions.builder().queue(QUEUE);
  }

  /** The ticks of this run: the store may hold an earlier run's. */
  private static List<JobInfo> ticks(JobInspector inspector, java.time.Instant since) {
    return inspector.listJobs(JobFilter.all().withTask(DemoTasks.TICK.name()).withLimit(10_000)).stream()
        .filter(j -> j.state() == JobState.SUCCEEDED && !j.createdAt().isBefore(since.minusSeconds(1))).toList();
  }

  private static boolean line(PrintStream out, JobHandle<?> h, JobState expected, String meaning) {
    JobInfo j = h.info().orElseThrow();
    String what = switch (j.state()) {
      case SUCCEEDED -> "result " + j.resultJson();
      case FAILED, DEAD -> (j.deadReason() != null ? "[" + j.deadReason() + "] " : "")
          + j.error().map(e -> QueueSupport.cut(e.summary(), 120)).orElse("");
      default -> "";
    };
    boolean ok = j.state() == expected;
    out.printf(Locale.ROOT, "  %-6s %-15s %-10s attempts %d, failures %d: %s%n         %s%n", j.id(), j.task(),
        j.state(), j.attempt(), j.failures(), what, ok ? meaning : "EXPECTED " + expected);
    return ok;
  }

  private static Map<String, String> workerNames(JobInspector inspector) {
    Map<String, String> names = new HashMap<>();
    inspector.workers().forEach(w -> names.put(w.id(), w.name() + " (pid " + w.pid() + ")"));
    return names;
  }

  private void startWorkers(String location, StoreBackend store) throws IOException, InterruptedException {
    if (inProcess) {
      TaskRegistry registry = QueueSupport.defaultRegistry();
      for (int i = 0; i < workers; i++) {
        threadWorkers.add(Worker.builder(store).registry(registry).queues(QUEUE).model(ExecutionModel.THREADS)
            .concurrency(concurrency).name("demo-worker-" + i).scheduleInterval(Duration.ofMillis(200))
            .shutdownGrace(Duration.ofSeconds(5)).start());
      }
      return;
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    Path logs = logDirectory(location);
    Files.createDirectories(logs);
    for (int i = 0; i < workers; i++) {
      List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          dev.spindle.cli.SpindleCli.class.getName(), "worker", "--store", location, "--queues", QUEUE,
          "--model", "threads", "--concurrency", Integer.toString(concurrency), "--name", "demo-worker-" + i,
          "--grace", "5s", "--lease", "5s"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(logs.resolve("demo-worker-" + i + ".log").toFile());
      processes.add(pb.start());
    }
    JobInspector inspector = store.inspector();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (inspector.workers().size() < workers) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a worker process exited with status " + p.exitValue() + "; see "
              + logs.resolve("demo-worker-*.log"));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("worker processes did not register within 90 s; see " + logs);
      }
      Thread.sleep(20);
    }
  }

  /** Worker logs go next to a SQLite file, else into spindle-data/. */
  private static Path logDirectory(String location) {
    String loc = location.strip();
    loc = loc.regionMatches(true, 0, "sqlite:", 0, 7) ? loc.substring(7) : loc;
    if (loc.contains("://")) {
      return Path.of("spindle-data");
    }
    int query = loc.indexOf('?');
    Path parent = Path.of(query >= 0 ? loc.substring(0, query) : loc).toAbsolutePath().getParent();
    return parent != null ? parent : Path.of("spindle-data");
  }

  private void stopWorkers() {
    for (Worker w : threadWorkers) {
      w.close();
    }
    for (Process p : processes) {
      p.destroy(); // SIGTERM: graceful stop
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    threadWorkers.clear();
    processes.clear();
  }
}
