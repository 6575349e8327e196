package dev.spindle.cli.queue;

import dev.spindle.TaskRegistry;
import dev.spindle.TaskTimeoutException;
import dev.spindle.UnknownTaskException;
import dev.spindle.cli.DurationArgs;
import dev.spindle.cli.ExitCode;
import dev.spindle.cli.ProgressBar;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobRequest;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.Echo;
import dev.spindle.store.redis.RedisJobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code ./spindle enqueue TASK [ARGS]}: adds jobs to the durable queue, from any process. */
@Command(name = "enqueue", mixinStandardHelpOptions = true,
    description = {
        "Adds a job to the durable queue: a task name and its arguments as JSON. Prints the job id; with --wait, "
            + "waits for the result and prints it.",
        "Examples:",
        "  ./spindle enqueue primes.check 9999999999999917 --wait",
        "  ./spindle enqueue demo.greet '\"world\"' --queue emails --delay 10s",
        "  ./spindle enqueue demo.sleep 100 --count 500 --wait",
        "  ./spindle enqueue demo.greet --args-file input.json   (or --args-file - to read standard input)",
        "  id=$(./spindle enqueue demo.greet '\"ann\"' --quiet)   ./spindle enqueue demo.greet '\"ann\"' --wait --json"})
public final class EnqueueCommand implements Callable<Integer> {
  /** The most bytes read from --args-file (the store's payload limit is usually lower). */
  static final int MAX_ARGS_BYTES = 64 << 20;

  /** The most jobs one {@code enqueue --count} adds. */
  static final int MAX_COUNT = 1_000_000;

  /**
   * The most jobs added in one store call: {@code --count} is added in batches of this size, each
   * all or none, so the client holds one batch at a time whatever the count.
   */
  static final int BATCH = 10_000;
  static final String MAX_COUNT_TEXT = "1000000";
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Mixin
  QueueSupport.CatalogOption catalog = new QueueSupport.CatalogOption();

  @Mixin
  OutputOptions output = new OutputOptions();

  @Parameters(index = "0", paramLabel = "TASK", description = "the task name, e.g. primes.check")
  String task;

  @Parameters(index = "1", paramLabel = "ARGS", arity = "0..1",
      description = "the task's input as JSON (default: null); a number, \"a string\", {\"an\":\"object\"}")
  @Nullable String args;

  @Option(names = "--args-file", paramLabel = "FILE",
      description = "read the task's input (JSON) from FILE, or from standard input with -; for arguments too "
          + "large for a command line")
  @Nullable String argsFile;

  @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", defaultValue = JobOptions.DEFAULT_QUEUE,
      description = "the queue (default: ${DEFAULT-VALUE})")
  String queue;

  @Option(names = {"-p", "--priority"}, paramLabel = "N", defaultValue = "0",
      description = "higher runs first within its queue (default: ${DEFAULT-VALUE})")
  int priority;

  @Option(names = "--delay", paramLabel = "DURATION", description = "run no earlier than this from now, e.g. 30s, 5m")
  @Nullable String delay;

  @Option(names = "--at", paramLabel = "INSTANT", description = "run no earlier than this ISO-8601 instant")
  @Nullable String at;

  @Option(names = "--unique-key", paramLabel = "KEY",
      description = "idempotency key: if a job with this key exists, it is returned instead of adding one")
  @Nullable String uniqueKey;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "stop an execution running longer than this")
  @Nullable String timeout;

  @Option(names = "--max-attempts", paramLabel = "N", description = "executions that may fail (default 3)")
  @Nullable Integer maxAttempts;

  @Option(names = "--count", paramLabel = "N", defaultValue = "1",
      description = "enqueue N identical jobs, at most " + EnqueueCommand.MAX_COUNT_TEXT + " (default: ${DEFAULT-VALUE}), "
          + "added in batches of " + EnqueueCommand.BATCH + ", each all or none (on Redis, per chunk of "
          + RedisJobStore.MAX_JOBS_PER_SCRIPT + " jobs, so that no script holds Redis for long)")
  int count;

  @Option(names = "--wait", paramLabel = "DURATION", arity = "0..1", fallbackValue = "1h",
      description = "wait for the jobs to finish (at most DURATION, default 1h) and print the results; the exit "
          + "status says how they ended (see the exit codes in ./spindle --help)")
  @Nullable String wait;

  @Option(names = "--allow-unknown", description = "accept a task name this command does not know (a worker with "
      + "other catalogs may run it); by default unknown names are refused")
  boolean allowUnknown;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    if (count < 1 || count > MAX_COUNT) {
      throw new CommandLine.ParameterException(cl, "--count must be within 1.." + MAX_COUNT_TEXT + ", not " + count
          + "; enqueue more in several commands");
    }
    output.check(cl);
    JobOptions options = options(cl);
    String args = arguments(cl);
    Duration waitLimit = wait == null ? null : DurationArgs.parse(cl, wait);
    EnqueuePrinter printer = output.json ? new EnqueuePrinter.Json(System.out, waitLimit != null)
        : output.quiet ? new EnqueuePrinter.Ids(System.out) : new EnqueuePrinter.Human(System.out, uniqueKey);
    long added = 0;
    try (StoreBackend s = store.openOrCreate();
         JobQueue q = JobQueue.builder(s).registry(allowUnknown ? TaskRegistry.empty() : catalog.registry()).build()) {
      List<JobHandle<JsonNode>> waited = new ArrayList<>(waitLimit == null ? 0 : Math.min(count, BATCH));
      JobRequest request = new JobRequest(task, args, options);
      while (added < count) {
        int n = (int) Math.min(BATCH, count - added);
        for (JobHandle<JsonNode> h : q.enqueueAll(Collections.nCopies(n, request))) {
          printer.enqueued(h);
          if (waitLimit != null) {
            waited.add(h);
          }
        }
        added += n;
      }
      if (waitLimit == null) {
        printer.done(ExitCode.OK, false);
        return ExitCode.OK.code();
      }
      return await(printer, waited, waitLimit).code();
    } catch (UnknownTaskException e) {
      System.err.println("spindle enqueue: " + Echo.controls(String.valueOf(e.getMessage()))
          + "; use --catalog to add catalogs or --allow-unknown");
      return ExitCode.USAGE.code();
    } catch (IllegalArgumentException e) {
      System.err.println("spindle enqueue: " + Echo.controls(String.valueOf(e.getMessage())));
      return ExitCode.USAGE.code();
    } catch (RuntimeException e) {
      if (added > 0) {
        System.err.println("spindle enqueue: " + added + " of " + count + " jobs were added before this failure "
            + "(each batch of " + BATCH + " is all or none)");
      }
      ExitCode code = QueueSupport.failure("enqueue", e);
      printer.failed(QueueSupport.message(e), code);
      return code.code();
    }
  }

  /** The arguments: ARGS, the --args-file (or standard input), or null. */
  private String arguments(CommandLine cl) {
    if (argsFile == null) {
      return args != null ? args : "null";
    }
    if (args != null) {
      throw new CommandLine.ParameterException(cl, "give the arguments either as ARGS or with --args-file, not both");
    }
    try {
      byte[] bytes = argsFile.equals("-") ? readBounded(System.in)
          : readBounded(Files.newInputStream(Path.of(argsFile)));
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException | java.nio.file.InvalidPathException e) {
      throw new CommandLine.ParameterException(cl, "cannot read --args-file " + Echo.of(argsFile) + ": " + e);
    }
  }

  /** Reads at most {@link #MAX_ARGS_BYTES} + 1 bytes (the payload limit then refuses with its own message). */
  private static byte[] readBounded(InputStream in) throws IOException {
    try (in) {
      return in.readNBytes(MAX_ARGS_BYTES + 1);
    }
  }

  private JobOptions options(CommandLine cl) {
    try {
      JobOptions.Builder b = JobOptions.builder().queue(queue).priority(priority);
      if (delay != null && at != null) {
        throw new CommandLine.ParameterException(cl, "use --delay or --at, not both");
      }
      if (delay != null) {
        b.delay(DurationArgs.parse(cl, delay));
      }
      if (at != null) {
        b.runAt(Instant.parse(at));
      }
      if (uniqueKey != null) {
        if (count > 1) {
          throw new CommandLine.ParameterException(cl, "--unique-key names one job; it cannot go with --count");
        }
        b.uniqueKey(uniqueKey);
      }
      if (timeout != null) {
        b.timeout(DurationArgs.parse(cl, timeout));
      }
      if (maxAttempts != null) {
        b.retry(RetryPolicy.builder().maxAttempts(maxAttempts).build());
      }
      return b.build();
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(cl, "--at " + Echo.of(String.valueOf(at)) + " is not an ISO-8601 instant (example: "
          + "2030-01-01T09:00:00Z)");
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  /** Waits for each job in turn, until {@code limit} from now; the worst outcome is the exit status. */
  private static ExitCode await(EnqueuePrinter printer, List<JobHandle<JsonNode>> handles, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    ExitCode code = ExitCode.OK;
    ProgressBar bar = handles.size() > 1 ? ProgressBar.onStderr("jobs", handles.size()) : null;
    try {
      for (JobHandle<JsonNode> h : handles) {
        long left = Math.max(0, deadline - System.nanoTime());
        JobInfo j;
        try {
          j = h.await(Duration.ofNanos(left));
        } catch (TaskTimeoutException e) {
          System.err.println("spindle enqueue: job " + h.id() + " did not finish within " + limit
              + " (it stays queued; see ./spindle jobs show " + h.id() + ")");
          printer.done(ExitCode.WAIT_TIMEOUT, true);
          return ExitCode.WAIT_TIMEOUT;
        }
        if (bar != null) {
          bar.step(j.state().name().toLowerCase(Locale.ROOT));
        }
        printer.finished(h, j);
        code = ExitCode.worst(code, ExitCode.ofFinished(j.state()));
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
    printer.done(code, false);
    return code;
  }
}
