package dev.spindle.examples.primes;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.examples.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The texts' prime checker (sequential.py, threads.py, procs.py) on any {@link ExecutionModel}:
 * every number becomes one {@link PrimeTasks#CHECK} execution on a pool of {@code workers}; the
 * answers come back on a result queue <em>as they complete</em>, each carrying its number, and the
 * caller's thread reports them. The run ends when the collector has counted one answer (or failure)
 * per number submitted, so it never stops early because a queue merely looked empty (trap P2).
 *
 * <p>Timing follows procs.py: from before the pool starts (so child JVM start-up is included) until
 * the last answer arrives; the pool is then closed gracefully, untimed.
 *
 * <p>Configure with the builder; a {@code PrimeChecker} is immutable and may be run many times
 * (each run starts its own pool). {@link #run} must not be called concurrently from one thread's
 * listener.
 */
public final class PrimeChecker {
  /** The executor name: thread names and worker process titles read {@code primes worker(0)}. */
  public static final String EXECUTOR_NAME = "primes";

  private final ExecutionModel model;
  private final int workers;
  private final List<Long> numbers;
  private final Ticker ticker;
  private final Consumer<ExecutorConfig.Builder> customizer;

  private PrimeChecker(Builder b) {
    this.model = b.model;
    this.workers = b.workers;
    this.numbers = List.copyOf(b.numbers);
    this.ticker = b.ticker;
    this.customizer = b.customizer;
  }

  /**
   * A builder for the model; defaults: the {@link PrimeDataset#TEXT} numbers, one worker per core
   * (1 for {@code SEQUENTIAL}), the system ticker.
   *
   * @throws IllegalArgumentException for {@code DISTRIBUTED}
   */
  public static Builder on(ExecutionModel model) {
    return new Builder(model);
  }

  /** The model. */
  public ExecutionModel model() {
    return model;
  }

  /** The worker count. */
  public int workers() {
    return workers;
  }

  /** The numbers, in submission order. */
  public List<Long> numbers() {
    return numbers;
  }

  /** The first line this run prints, e.g. {@code Checking 20 numbers with 2 processes:}. */
  public String header() {
    return PrimeReport.header(model, workers, numbers.size());
  }

  /** Runs without reporting each answer. */
  public PrimeRun run() throws InterruptedException {
    return run(r -> {}, f -> {});
  }

  /**
   * Checks every number and calls {@code onResult} (or {@code onFailure}) on the calling thread as
   * each answer arrives.
   *
   * @throws InterruptedException if interrupted while waiting; running checks are then cancelled
   * @throws IllegalStateException if the model's executor cannot start (e.g. the provider is missing)
   */
  public PrimeRun run(Consumer<PrimeResult> onResult, Consumer<PrimeRun.Failure> onFailure)
      throws InterruptedException {
    Objects.requireNonNull(onResult, "onResult");
    Objects.requireNonNull(onFailure, "onFailure");
    long t0 = ticker.nanoTime();
    ExecutorConfig.Builder config = Spindle.executor(model).name(EXECUTOR_NAME).registry(PrimeTasks.REGISTRY);
    if (model != ExecutionModel.SEQUENTIAL && model != ExecutionModel.COROUTINE) {
      config.workers(workers);
    }
    customizer.accept(config);
    List<PrimeResult> results = new ArrayList<>(numbers.size());
    List<PrimeRun.Failure> failures = new ArrayList<>();
    double startup;
    double elapsed;
    TaskExecutor pool = config.start();
    try {
      startup = ticker.secondsSince(t0);
      BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
      for (long n : numbers) {
        pool.submit(PrimeTasks.CHECK, n).onDone(f -> arrivals.add(Arrival.of(n, f)));
      }
      for (int received = 0; received < numbers.size(); received++) {
        Arrival a = arrivals.take();
        if (a.result != null) {
          results.add(a.result);
          onResult.accept(a.result);
        } else {
          // a future that did not succeed failed with an error
          PrimeRun.Failure failure = new PrimeRun.Failure(a.n, Objects.requireNonNull(a.error, "error"));
          failures.add(failure);
          onFailure.accept(failure);
        }
      }
      elapsed = ticker.secondsSince(t0);
    } catch (InterruptedException | RuntimeException | Error e) {
      pool.shutdownNow();
      throw e;
    } finally {
      pool.close();
    }
    return new PrimeRun(model, workers, results, failures, startup, elapsed);
  }

  private record Arrival(long n, @Nullable PrimeResult result, @Nullable Throwable error) {
    static Arrival of(long n, TaskFuture<PrimeResult> done) {
      try {
        return new Arrival(n, done.result(), null);
      } catch (RuntimeException e) {
        return new Arrival(n, null, e);
      }
    }
  }

  /** Validates and builds a {@link PrimeChecker}. Not thread-safe. */
  public static final class Builder {
    private final ExecutionModel model;
    private int workers;
    private List<Long> numbers = PrimeDataset.TEXT.numbers();
    private Ticker ticker = Ticker.system();
    private Consumer<ExecutorConfig.Builder> customizer = b -> {};

    private Builder(ExecutionModel model) {
      this.model = Objects.requireNonNull(model, "model");
      if (model == ExecutionModel.DISTRIBUTED) {
        throw new IllegalArgumentException(
            "the prime checker runs on SEQUENTIAL, THREADS, VIRTUAL, PROCESSES or COROUTINE, not DISTRIBUTED");
      }
      this.workers = model == ExecutionModel.SEQUENTIAL || model == ExecutionModel.COROUTINE ? 1
          : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Sets the worker count.
     *
     * @throws IllegalArgumentException if below 1 (0 is allowed for VIRTUAL: one virtual thread per
     *     number), or not 1 for SEQUENTIAL
     */
    public Builder workers(int workers) {
      int min = model == ExecutionModel.VIRTUAL ? 0 : 1;
      if (workers < min) {
        throw new IllegalArgumentException("workers must be >= " + min + " for " + model + ": " + workers);
      }
      if (model == ExecutionModel.SEQUENTIAL && workers != 1) {
        throw new IllegalArgumentException("the sequential checker has exactly one worker, not " + workers);
      }
      if (model == ExecutionModel.COROUTINE && workers != 1) {
        throw new IllegalArgumentException("the coroutine checker has exactly one event loop, not " + workers + " workers");
      }
      this.workers = workers;
      return this;
    }

    /** Checks the numbers of a dataset. */
    public Builder dataset(PrimeDataset dataset) {
      return numbers(dataset.numbers());
    }

    /**
     * Checks these numbers, in this order.
     *
     * @throws IllegalArgumentException if empty
     */
    public Builder numbers(List<Long> numbers) {
      if (numbers.isEmpty()) {
        throw new IllegalArgumentException("no numbers to check");
      }
      this.numbers = List.copyOf(numbers);
      return this;
    }

    /** Sets the time source for the run's timings (the per-number times are the workers'). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Adjusts the executor configuration before each run, e.g. to add the process model's options.
     * Called after the model, name, registry and workers are set.
     */
    public Builder configure(Consumer<ExecutorConfig.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** The immutable checker. */
    public PrimeChecker build() {
      return new PrimeChecker(this);
    }
  }
}
