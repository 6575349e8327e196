package dev.spindle.bench;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.StoreBackend;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The workflow of {@code QueueBench dag-fault}: {@code layers} chords of {@code width} logged jobs,
 * each chord's callback starting the next layer, and what a run under {@code kill -9} left: states,
 * callbacks created and completed, executions per job, and whether any job started before what it
 * depends on had finished.
 */
final class DagFault {
  private final int layers;
  private final int width;
  private final long jobMs;

  DagFault(int layers, int width, long jobMs) {
    if (layers < 1 || width < 1) {
      throw new IllegalArgumentException("layers and width must be at least 1");
    }
    this.layers = layers;
    this.width = width;
    this.jobMs = jobMs;
  }

  Workflow workflow() {
    Workflow all = null;
    for (int l = 0; l < layers; l++) {
      Workflow[] members = new Workflow[width];
      for (int i = 0; i < width; i++) {
        members[i] = Workflow.task(QueueBenchTasks.LOGGED_SLEEP, jobMs);
      }
      Workflow chord = Workflow.chord(Workflow.group(members), Workflow.fromUpstream(QueueBenchTasks.LOGGED_CALLBACK));
      all = all == null ? chord : all.then(chord);
    }
    return Objects.requireNonNull(all, "a workflow needs at least one layer");
  }

  /** True once the last callback ended. */
  boolean finished(StoreBackend store, WorkflowHandle h) {
    return store.find(h.last().get(0).id()).map(j -> j.state().isTerminal()).orElse(false);
  }

  private int callbackIndex(int layer) {
    return layer * (width + 1) + width;
  }

  void report(StoreBackend store, WorkflowHandle h, List<String> executions, PrintStream out) {
    Map<String, JobInfo> jobs = new HashMap<>();
    Map<JobState, Integer> states = new EnumMap<>(JobState.class);
    for (JobHandle<?> jh : h.jobs()) {
      JobInfo j = store.find(jh.id()).orElseThrow();
      jobs.put(j.id(), j);
      states.merge(j.state(), 1, Integer::sum);
    }
    Map<String, Integer> runs = new HashMap<>();
    Map<String, Long> firstStart = new HashMap<>(); // micros, logged by the task as it started
    for (String line : executions) {
      String id = line.substring(0, line.indexOf(' '));
      runs.merge(id, 1, Integer::sum);
      firstStart.merge(id, Long.parseLong(line.substring(line.indexOf(' ') + 1)), Math::min);
    }
    List<String> callbacks = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      callbacks.add(h.jobs().get(callbackIndex(l)).id());
    }
    int callbackRuns = callbacks.stream().mapToInt(id -> runs.getOrDefault(id, 0)).sum();
    long callbacksSucceeded = callbacks.stream().filter(id -> Objects.requireNonNull(jobs.get(id)).state() == JobState.SUCCEEDED).count();
    int ordinary = h.jobs().size() - layers;
    int ordinaryRuns = executions.size() - callbackRuns;
    long ordinaryStarted = runs.keySet().stream().filter(id -> !callbacks.contains(id)).count();
    int callbackJobsInStore = countTask(store.inspector(), QueueBenchTasks.LOGGED_CALLBACK.name());
    // an execution that began before a dependency's completion was stamped would be a real violation
    // (the stamp is taken before its commit, so a correct release always starts later); a job that
    // never started (cancelled with a dependency that died) broke no order
    int orderViolations = 0;
    for (int l = 0; l < layers; l++) {
      JobInfo cb = Objects.requireNonNull(jobs.get(callbacks.get(l)));
      for (int i = 0; i < width; i++) {
        JobInfo m = Objects.requireNonNull(jobs.get(h.jobs().get(l * (width + 1) + i).id()));
        if (startedBefore(firstStart.get(cb.id()), m.finishedAt())) {
          orderViolations++; // the callback started before a member had finished
        }
        if (l > 0 && startedBefore(firstStart.get(m.id()), Objects.requireNonNull(jobs.get(callbacks.get(l - 1))).finishedAt())) {
          orderViolations++; // a member started before the previous layer's callback had finished
        }
      }
    }
    out.printf(Locale.ROOT, "  states: %s; not SUCCEEDED (stuck or lost): %d: %s%n", states,
        h.jobs().size() - states.getOrDefault(JobState.SUCCEEDED, 0), unsuccessful(jobs));
    out.printf(Locale.ROOT, "  callbacks: %d expected, %d callback jobs in the store (created once each),"
        + " %d SUCCEEDED, %d executions (%d re-run after their worker was killed mid-run; one fenced completion"
        + " each)%n", layers, callbackJobsInStore, callbacksSucceeded, callbackRuns, callbackRuns - layers);
    out.printf(Locale.ROOT, "  ordinary jobs: %,d, %,d started, %,d executions: %,d duplicates (re-runs after a"
        + " kill)%n", ordinary, ordinaryStarted, ordinaryRuns, ordinaryRuns - ordinaryStarted);
    out.printf(Locale.ROOT, "  dependency order violations (a job started before a dependency finished): %d%n",
        orderViolations);
    jobs.values().stream().filter(j -> j.state() == JobState.DEAD).limit(3).forEach(j -> store.attempts()
        .flatMap(ledger -> ledger.attempts(j.id()))
        .ifPresent(a -> out.printf(Locale.ROOT, "  attempts of DEAD job %s: %s%n", j.id(), a.attempts())));
  }

  /** Whether a job that started (a job that never did broke no order) started before {@code finished}. */
  private static boolean startedBefore(@Nullable Long startMicros, @Nullable Instant finished) {
    return startMicros != null && (finished == null || startMicros < QueueBenchTasks.micros(finished));
  }

  /**
   * The jobs that did not succeed, counted by state, dead-letter reason, lost workers and failures:
   * "DEAD worker_lost (3 lost workers, 0 failures) x 8", or "none".
   */
  private static String unsuccessful(Map<String, JobInfo> jobs) {
    Map<String, Integer> kinds = new TreeMap<>();
    for (JobInfo j : jobs.values()) {
      if (j.state() != JobState.SUCCEEDED) {
        String kind = j.state() + (j.deadReason() == null ? "" : " " + j.deadReason()) + " (" + j.workerLost()
            + " lost workers, " + j.failures() + " failures)";
        kinds.merge(kind, 1, Integer::sum);
      }
    }
    StringBuilder out = new StringBuilder();
    kinds.forEach((k, n) -> out.append(out.isEmpty() ? "" : ", ").append(k).append(" x ").append(n));
    return out.isEmpty() ? "none" : out.toString();
  }

  private static int countTask(JobInspector inspector, String task) {
    int n = 0;
    String before = null;
    while (true) {
      List<JobInfo> page = inspector.listJobs(JobFilter.all().withTask(task).withLimit(10_000).withBeforeId(before));
      if (page.isEmpty()) {
        return n;
      }
      n += page.size();
      before = page.get(page.size() - 1).id();
    }
  }
}
