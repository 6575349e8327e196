package dev.spindle.cli.queue;

import dev.spindle.cli.DurationArgs;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.AttemptsView;
import dev.spindle.queue.DurableRules;
import dev.spindle.queue.DurableView;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StoreBackend;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ./spindle jobs list|show|tree|retry|cancel|purge|resume}: inspect and repair jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = {"Lists, shows, requeues, cancels and purges jobs of the durable queue; resumes failed workflows.",
        "Examples: ./spindle jobs list --state failed,dead   ./spindle jobs show 42   ./spindle jobs retry --all"},
    subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Tree.class, JobsCommand.Retry.class,
        JobsCommand.Cancel.class, JobsCommand.Signal.class, JobsCommand.Purge.class, ResumeCommand.class})
public final class JobsCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Filter options shared by list, retry --all and purge. */
  static final class FilterOptions {
    @Option(names = {"-s", "--state"}, paramLabel = "STATE", split = ",",
        description = "only these states: scheduled, queued, running, succeeded, failed, dead, cancelled")
    List<String> states = new ArrayList<>();

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "only this queue")
    @Nullable String queue;

    @Option(names = "--task", paramLabel = "TASK", description = "only this task")
    @Nullable String task;

    /** True if no filter option was given: the filter matches every job. */
    boolean isEmpty() {
      return states.isEmpty() && queue == null && task == null;
    }

    JobFilter filter(CommandLine cl, int limit) {
      Set<JobState> set = EnumSet.noneOf(JobState.class);
      for (String s : states) {
        try {
          set.add(JobState.valueOf(s.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(cl, "unknown state '" + s + "'");
        }
      }
      JobFilter f = JobFilter.all().withStates(set).withLimit(limit);
      if (queue != null) {
        f = f.withQueue(queue);
      }
      if (task != null) {
        f = f.withTask(task);
      }
      return f;
    }
  }

  /** {@code jobs list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists jobs, newest first.")
  static final class ListJobs implements Callable<Integer> {
    /** The most jobs one listing prints. */
    static final int MAX_LIST = 100_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    FilterOptions filter = new FilterOptions();

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20", description = "at most N (default: "
        + "${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--before", paramLabel = "ID", description = "only jobs older than this id (next page)")
    @Nullable String before;

    @Mixin
    QueueSupport.RedactOption redact = new QueueSupport.RedactOption();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Override
    public Integer call() {
      output.check(spec.commandLine());
      if (limit < 1 || limit > MAX_LIST) {
        throw new CommandLine.ParameterException(spec.commandLine(), "-n/--limit must be within 1.." + MAX_LIST
            + ": " + limit);
      }
      JobFilter f = filter.filter(spec.commandLine(), limit);
      if (before != null) {
        try {
          f = f.withBeforeId(before);
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
      }
      try (StoreBackend s = store.open()) {
        dev.spindle.queue.Redaction shown = redact.redaction();
        List<JobInfo> jobs = s.inspector().listJobs(f).stream().map(shown::apply).toList();
        String next = jobs.size() == f.limit() ? jobs.get(jobs.size() - 1).id() : null;
        if (output.json) {
          ObjectNode doc = CliJson.object();
          ArrayNode list = doc.putArray("jobs");
          jobs.forEach(j -> list.add(CliJson.job(j)));
          doc.put("nextBefore", next);
          CliJson.print(System.out, doc);
          return 0;
        }
        if (output.quiet) {
          jobs.forEach(j -> System.out.println(j.id()));
          return 0;
        }
        Instant now = Clock.systemUTC().instant();
        System.out.println(String.format(Locale.ROOT, "%-10s %-10s %-22s %-12s %4s %-19s %9s  %s", "ID", "STATE",
            "TASK", "QUEUE", "TRY", "CREATED", "RUNTIME", "RESULT / ERROR"));
        for (JobInfo j : jobs) {
          System.out.println(String.format(Locale.ROOT, "%-10s %-10s %-22s %-12s %4d %-19s %9s  %s", j.id(),
              j.state(), QueueSupport.cut(j.task(), 22), QueueSupport.cut(j.queue(), 12), j.attempt(),
              QueueSupport.time(j.createdAt()), j.runtime(now).map(QueueSupport::human).orElse("-"),
              QueueSupport.cut(outcome(j), 60)));
        }
        if (next != null) {
          System.out.println("(more: --before " + next + ")");
        }
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs list", e);
      }
    }
  }

  static String outcome(JobInfo j) {
    String result = j.resultJson();
    if (j.state() == JobState.SUCCEEDED && result != null) {
      return result;
    }
    if (j.state() == JobState.SCHEDULED) {
      return "runs at " + QueueSupport.time(j.runAt()) + (j.errorJson() != null ? "; last error: " + error(j) : "");
    }
    if (j.errorJson() != null) {
      return (j.deadReason() != null ? "[" + j.deadReason() + "] " : "") + error(j);
    }
    return j.cancelRequested() ? "(cancel requested)" : "";
  }

  private static String error(JobInfo j) {
    try {
      return j.error().map(JobError::summary).orElse("");
    } catch (RuntimeException e) {
      String json = j.errorJson();
      return json == null ? "" : json;
    }
  }

  /** {@code jobs show ID}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = {"Shows everything about one job: with"
      + " --follow, then its progress and log lines as they come, until it ends.",
      "Example: ./spindle jobs show 42 --follow"})
  static final class Show implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "ID", description = "the job id")
    String id;

    @Mixin
    JsonOption output = new JsonOption();

    @Mixin
    QueueSupport.RedactOption redact = new QueueSupport.RedactOption();

    @Option(names = {"-f", "--follow"}, description = "then print its progress and log lines as they come, until it"
        + " ends; exits with the job's status (0 succeeded, 3 failed, 4 dead, 5 cancelled)")
    boolean follow;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
        description = "with --follow, how often to look (default ${DEFAULT-VALUE})")
    String interval;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Duration every = DurationArgs.parse(spec.commandLine(), interval);
      if (every.isZero() || every.isNegative()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be positive: " + interval);
      }
      if (follow && output.json) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--follow prints text; without it --json"
            + " prints the job with its progress and kept lines");
      }
      try (StoreBackend s = store.open()) {
        JobInfo stored = s.find(id).orElseThrow(() -> new JobNotFoundException(id));
        dev.spindle.queue.Redaction redaction = redact.redaction();
        JobInfo j = redaction.apply(stored);
        dev.spindle.queue.JobProgress progress = s.progress().flatMap(p -> p.view(id))
            .map(p -> redaction.apply(stored, p)).orElse(null);
        DurableView durable = DurableView.of(s, stored, redaction).orElse(null);
        AttemptsView attempts = AttemptsView.of(s, stored, redaction).orElse(null);
        String hold = null;
        if (j.state() == JobState.QUEUED) {
          // a store without flow control holds no job
          hold = s.flowAdmin().flatMap(f -> f.holdOf(j.id())).map(FlowHold::describe).orElse(null);
        }
        if (output.json) {
          ObjectNode doc = CliJson.job(j);
          doc.put("flowHold", hold);
          doc.set("durable", durable == null ? null : durable.toJson());
          doc.set("attempts", attempts == null ? null : attempts.toJson());
          doc.set("progress", progress == null || progress.isEmpty() ? null : progress.toJson());
          CliJson.print(System.out, doc);
          return 0;
        }
        print(System.out, j, Clock.systemUTC().instant());
        if (hold != null) {
          System.out.println("flow       " + hold);
        }
        if (attempts != null) {
          printAttempts(System.out, attempts);
        }
        if (durable != null) {
          printDurable(System.out, durable);
        }
        if (follow) {
          return follow(new JobFollower(s, id, redaction, System.out), every);
        }
        if (progress != null && !progress.isEmpty()) {
          printProgress(System.out, progress);
        }
        return 0;
      } catch (JobNotFoundException e) {
        System.err.println("spindle jobs show: " + e.getMessage());
        return ExitCode.NOT_FOUND.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs show", e);
      }
    }
  }

  /** Polls {@code f} every {@code every} until the job ends; its exit status. */
  private static int follow(JobFollower f, Duration every) {
    try {
      while (!f.poll()) {
        Thread.sleep(every);
      }
      return f.exitCode().code();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCode.ERROR.code();
    }
  }

  /** The job's progress and its kept log lines. */
  static void printProgress(PrintStream out, dev.spindle.queue.JobProgress p) {
    String progress = JobFollower.progressLine(p);
    if (progress != null) {
      out.println(progress);
    }
    out.println("log        " + p.linesTotal() + " line(s)" + (p.linesTotal() > p.lines().size() ? ", the last "
        + p.lines().size() + " kept" : ""));
    for (dev.spindle.queue.JobProgress.Line l : p.lines()) {
      out.println(JobFollower.line(l));
    }
  }

  /** {@code jobs tree}: the workflow a job belongs to, from its first jobs down. */
  @Command(name = "tree", mixinStandardHelpOptions = true,
      description = {"Shows the workflow around a job: its dependencies' roots and everything below them.",
          "Example: ./spindle jobs tree 42"})
  static final class Tree implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "ID", description = "a job of the workflow")
    String id;

    @Option(names = "--max-lines", description = "at most this many lines (default ${DEFAULT-VALUE})",
        defaultValue = "500")
    int maxLines;

    @Override
    public Integer call() {
      if (maxLines < 1) {
        System.err.println("spindle jobs tree: --max-lines must be >= 1, not " + maxLines);
        return 2;
      }
      try (StoreBackend s = store.open()) {
        String start = s.find(id).orElseThrow(() -> new JobNotFoundException(id)).id();
        new WorkflowTree(s.inspector(), s::find, maxLines).print(System.out, start);
        return 0;
      } catch (JobNotFoundException e) {
        System.err.println("spindle jobs tree: " + e.getMessage());
        return ExitCode.NOT_FOUND.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs tree", e);
      }
    }
  }

  static void print(PrintStream out, JobInfo j, Instant now) {
    out.println("job        " + j.id());
    out.println("task       " + j.task());
    out.println("queue      " + j.queue() + "   priority " + j.priority());
    out.println("state      " + j.state() + (j.deadReason() != null ? " (" + j.deadReason() + ")" : "")
        + (j.cancelRequested() ? " (cancel requested)" : ""));
    out.println("attempts   " + j.attempt() + " started, " + j.failures() + " failed, " + j.workerLost()
        + " lost with their worker (limit " + j.policy().maxWorkerLost() + ")");
    out.println("created    " + QueueSupport.time(j.createdAt()));
    out.println("run at     " + QueueSupport.time(j.runAt()));
    out.println("started    " + QueueSupport.time(j.startedAt()) + (j.workerId() != null ? "  on " + j.workerId()
        : ""));
    out.println("finished   " + QueueSupport.time(j.finishedAt())
        + j.runtime(now).map(d -> "  (ran " + QueueSupport.human(d) + ")").orElse(""));
    out.println("expires    " + QueueSupport.time(j.expiresAt()));
    if (j.uniqueKey() != null) {
      out.println("unique key " + j.uniqueKey());
    }
    out.println("policy     timeout " + (j.policy().timeout() == null ? "none" : QueueSupport.human(j.policy().timeout()))
        + ", " + j.policy().retry().maxAttempts() + " attempts, backoff " + QueueSupport.human(j.policy().retry()
        .initialDelay()) + " x" + j.policy().retry().multiplier() + " (max " + QueueSupport.human(j.policy().retry()
        .maxDelay()) + ")" + (j.policy().retry().retryOn().isEmpty() ? "" : ", retry on " + j.policy().retry()
        .retryOn()) + (j.policy().retry().giveUpOn().isEmpty() ? "" : ", give up on " + j.policy().retry()
        .giveUpOn()));
    out.println("args       " + j.argsJson());
    if (j.resultJson() != null) {
      out.println("result     " + j.resultJson());
    }
    if (j.errorJson() != null) {
      try {
        JobError e = j.error().orElseThrow();
        out.println("error      " + e.summary());
        printStack(out, e, "           ");
      } catch (RuntimeException ex) {
        out.println("error      " + j.errorJson());
      }
    }
  }

  /** The job's attempts, one line each (its own error last), then the writes the fence refused. */
  static void printAttempts(PrintStream out, AttemptsView a) {
    if (a.attempts().isEmpty() && a.refused().isEmpty()) {
      return;
    }
    out.println("attempts   " + a.attempts().size() + " kept (the last " + a.keep() + " claims)"
        + (a.duplicate() ? "; may have run more than once at the same time" : ""));
    out.println(String.format(Locale.ROOT, "  %-3s %-9s %-28s %-16s %6s  %-19s  %-8s  %s", "#", "OUTCOME", "WORKER",
        "HOST", "FENCE", "STARTED", "RAN", "ERROR"));
    for (AttemptsView.Attempt t : a.attempts()) {
      String ran = t.endedAt() == null ? "-" : QueueSupport.human(Duration.between(t.startedAt(), t.endedAt()));
      out.println(String.format(Locale.ROOT, "  %-3d %-9s %-28s %-16s %6d  %-19s  %-8s  %s", t.number(),
          t.outcome() == null ? "RUNNING" : t.outcome(), QueueSupport.cut(t.workerId(), 28),
          QueueSupport.cut(t.host() == null ? "-" : t.host(), 16), t.fence(), QueueSupport.time(t.startedAt()), ran,
          QueueSupport.cut(t.errorSummary(), 80)));
    }
    for (AttemptsView.Refused r : a.refused()) {
      out.println("refused    " + r.attempted() + " by " + r.workerId() + " (fence " + r.fence() + ") at "
          + QueueSupport.time(r.at()));
    }
  }

  /** The steps a durable job recorded, one line each, then what it waits for and its signals. */
  static void printDurable(PrintStream out, DurableView d) {
    out.println("steps      " + d.steps().size() + " recorded");
    out.println(String.format(Locale.ROOT, "  %-3s %-24s %-6s %-7s %8s  %-19s  %s", "#", "NAME", "KIND", "ATTEMPT",
        "TOOK", "RECORDED", "RESULT"));
    int n = 0;
    for (DurableView.Step s : d.steps()) {
      String name = s.occurrence() == 0 ? s.name() : s.name() + " #" + (s.occurrence() + 1);
      out.println(String.format(Locale.ROOT, "  %-3d %-24s %-6s %-7d %8s  %-19s  %s", ++n, QueueSupport.cut(name, 24),
          s.kind(), s.attempt(), QueueSupport.human(Duration.ofMillis(s.tookMillis())),
          QueueSupport.time(s.recordedAt()), QueueSupport.cut(String.valueOf(s.resultJson()), 60)));
    }
    DurableView.Wait w = d.waitingFor();
    if (w != null) {
      String what = w.signal() == null ? "its timer" : w.kind().equals("JOB") ? "job " + w.signal() + " to end"
          : "signal '" + w.signal() + "'";
      out.println("waits for  " + what + ", until " + QueueSupport.time(w.until()));
    }
    if (!d.signals().isEmpty()) {
      StringBuilder b = new StringBuilder();
      d.signals().forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(" x").append(v));
      out.println("signals    " + b);
    }
  }

  private static void printStack(PrintStream out, JobError e, String indent) {
    for (String f : e.stack().subList(0, Math.min(e.stack().size(), 12))) {
      String[] p = f.split("\\|", -1);
      out.println(indent + "at " + (p.length == 4 ? p[0] + "." + p[1] + "(" + p[2] + ":" + p[3] + ")" : f));
    }
    if (e.stack().size() > 12) {
      out.println(indent + "... " + (e.stack().size() - 12) + " more");
    }
    if (e.cause() != null) {
      out.println(indent + "caused by " + e.cause().summary());
      printStack(out, e.cause(), indent);
    }
  }

  /** {@code jobs retry}. */
  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Requeues FAILED, DEAD or CANCELLED jobs (by id, or --all matching the filter).")
  static final class Retry implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    FilterOptions filter = new FilterOptions();

    @Parameters(paramLabel = "ID", arity = "0..*", description = "job ids")
    List<String> ids = new ArrayList<>();

    @Option(names = "--all", description = "every FAILED and DEAD job matching the filter (default states: failed,dead)")
    boolean all;

    @Override
    public Integer call() {
      CommandLine cl = spec.commandLine();
      if (ids.isEmpty() == !all) {
        throw new CommandLine.ParameterException(cl, "give job ids or --all");
      }
      try (StoreBackend s = store.open()) {
        JobInspector in = s.inspector();
        Instant now = Clock.systemUTC().instant();
        int ok = 0;
        int bad = 0;
        int missing = 0;
        if (all) {
          if (filter.states.isEmpty()) {
            filter.states = List.of("failed", "dead");
          }
          JobFilter f = filter.filter(cl, 1000);
          for (JobState st : f.states()) {
            if (st != JobState.FAILED && st != JobState.DEAD && st != JobState.CANCELLED) {
              throw new CommandLine.ParameterException(cl, "only failed, dead and cancelled jobs can be retried");
            }
          }
          List<JobInfo> page;
          while (!(page = in.listJobs(f)).isEmpty()) {
            for (JobInfo j : page) {
              in.requeue(j.id(), now);
              ok++;
            }
          }
        } else {
          for (String id : ids) {
            try {
              JobInfo j = in.requeue(id, now);
              System.out.println(j.id() + " " + j.state());
              ok++;
            } catch (JobNotFoundException e) {
              System.err.println("spindle jobs retry: " + e.getMessage());
              missing++;
            } catch (IllegalJobTransitionException e) {
              System.err.println("spindle jobs retry: " + e.getMessage());
              bad++;
            }
          }
        }
        System.out.println(ok + " job(s) requeued");
        return bad > 0 ? ExitCode.ERROR.code() : missing > 0 ? ExitCode.NOT_FOUND.code() : ExitCode.OK.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs retry", e);
      }
    }
  }

  /** {@code jobs cancel}. */
  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancels jobs: waiting ones never run; running ones are stopped by their worker.")
  static final class Cancel implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "ID", arity = "1..*", description = "job ids")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() {
      try (StoreBackend s = store.open()) {
        int bad = 0;
        for (String id : ids) {
          CancelResult r = s.cancel(id, Clock.systemUTC().instant());
          System.out.println(id + " " + switch (r) {
            case CANCELLED -> "cancelled";
            case CANCEL_REQUESTED -> "running: its worker stops it at its next heartbeat";
            case ALREADY_FINISHED -> "already finished; unchanged";
            case NOT_FOUND -> "not found";
          });
          if (r == CancelResult.NOT_FOUND) {
            bad++;
          }
        }
        return bad == 0 ? ExitCode.OK.code() : ExitCode.NOT_FOUND.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs cancel", e);
      }
    }
  }

  /** {@code jobs signal}: sends a signal to a durable job (by id or unique key). */
  @Command(name = "signal", mixinStandardHelpOptions = true,
      description = {"Sends a signal to a durable job: a job suspended waiting for it wakes; one not waiting yet "
          + "keeps it until it asks.", "Examples: ./spindle jobs signal 42 approved '{\"by\":\"ann\"}'   "
          + "./spindle jobs signal --unique-key order-7 cancelled"})
  static final class Signal implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(index = "0", paramLabel = "JOB", description = "the job id, or its unique key with --unique-key")
    String job;

    @Parameters(index = "1", paramLabel = "NAME", description = "the signal's name")
    String name;

    @Parameters(index = "2", paramLabel = "PAYLOAD", arity = "0..1",
        description = "the signal's payload as JSON (default: null)")
    @Nullable String payload;

    @Option(names = "--unique-key", description = "JOB is the job's unique key, not its id")
    boolean byUniqueKey;

    @Override
    public Integer call() {
      String json = payload == null ? "null" : payload;
      try {
        CliJson.MAPPER.readTree(json);
      } catch (RuntimeException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "PAYLOAD is not JSON: " + QueueSupport.cut(json,
            80) + " (a string needs quotes: '\"text\"')");
      }
      try (StoreBackend s = store.open()) {
        DurableStore durable = s.durable().orElseThrow(() -> new UnsupportedOperationException(
            "the job store " + s.describe() + " has no durable execution: signals cannot be sent"));
        JobRef ref = byUniqueKey ? JobRef.uniqueKey(job) : JobRef.id(job);
        SignalResult r = durable.signal(ref, name, json, DurableRules.defaults(), Clock.systemUTC().instant());
        System.out.println(job + " " + switch (r) {
          case WOKE -> "signal '" + name + "' stored; the job was waiting for it and is queued again";
          case STORED -> "signal '" + name + "' stored; the job takes it when it waits for it";
          case NO_SUCH_JOB -> "not found";
          case FINISHED -> "already finished; nothing stored";
          case FULL -> "holds too many signals not yet taken; nothing stored";
        });
        return switch (r) {
          case WOKE, STORED -> ExitCode.OK.code();
          case NO_SUCH_JOB -> ExitCode.NOT_FOUND.code();
          case FINISHED, FULL -> ExitCode.ERROR.code();
        };
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), String.valueOf(e.getMessage()));
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs signal", e);
      }
    }
  }

  /** {@code jobs purge}. */
  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = {"Deletes finished jobs (succeeded, failed, dead, cancelled) matching the filter; without a "
          + "filter, only with --all.", "Examples: ./spindle jobs purge --state succeeded --older-than 7d   "
          + "./spindle jobs purge --all"})
  static final class Purge implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    FilterOptions filter = new FilterOptions();

    @Option(names = "--older-than", paramLabel = "DURATION", description = "only jobs finished longer ago, e.g. 7d")
    @Nullable String olderThan;

    @Option(names = "--all", description = "purge every finished job matching the filter, even with no filter "
        + "(required then: a purge without a filter empties the store of finished jobs)")
    boolean all;

    @Override
    public Integer call() {
      CommandLine cl = spec.commandLine();
      if (!all && filter.isEmpty() && olderThan == null) {
        throw new CommandLine.ParameterException(cl, "jobs purge without a filter would delete every finished job: "
            + "give --state, --queue, --task or --older-than, or --all to purge them all");
      }
      JobFilter f = filter.filter(cl, 1000);
      for (JobState st : f.states()) {
        if (!st.isTerminal()) {
          throw new CommandLine.ParameterException(cl, "only finished jobs can be purged, not " + st
              .name().toLowerCase(Locale.ROOT) + " ones (cancel them first)");
        }
      }
      if (olderThan != null) {
        Duration d = DurationArgs.parse(cl, olderThan);
        f = f.withFinishedBefore(Clock.systemUTC().instant().minus(d));
      }
      try (StoreBackend s = store.open()) {
        JobInspector in = s.inspector();
        long total = 0;
        int n;
        while ((n = in.purge(f)) > 0) {
          total += n;
        }
        System.out.println(total + " job(s) purged");
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("jobs purge", e);
      }
    }
  }
}
