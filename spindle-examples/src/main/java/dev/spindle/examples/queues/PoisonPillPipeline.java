package dev.spindle.examples.queues;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.examples.Ticker;
import dev.spindle.examples.primes.PrimeDataset;
import dev.spindle.process.JoinableQueue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Producer/consumer over a cross-process {@link JoinableQueue} with poison pills, on any local
 * {@link ExecutionModel} (consumers are {@link QueueTasks#CONSUME} tasks: threads, virtual threads
 * or child JVMs). The texts' homegrown process pool, done without its traps:
 *
 * <ol>
 *   <li>the producer puts every item on a bounded job queue (it blocks while the queue is full:
 *       backpressure);
 *   <li>it then {@code join()}s the job queue, which returns once every item was taken <em>and</em>
 *       marked done, and only then sends the pills (trap P3: a pill sent early stops a consumer
 *       before the others' items are through);
 *   <li>it sends <em>one pill per consumer</em> (trap P4: one pill for N consumers leaves N−1 alive);
 *   <li>the collector never stops because a queue looks empty (trap P2): it counts acknowledgements
 *       until every consumer has answered its pill, then checks that every item was delivered
 *       exactly once.
 * </ol>
 *
 * <p>Immutable; each {@link #run} creates its own queues and pool.
 */
public final class PoisonPillPipeline {
  private final ExecutionModel model;
  private final int consumers;
  private final List<Long> items;
  private final int maxsize;
  private final Ticker ticker;
  private final Consumer<ExecutorConfig.Builder> customizer;

  private PoisonPillPipeline(Builder b) {
    this.model = b.model;
    this.consumers = b.consumers;
    this.items = List.copyOf(b.items);
    this.maxsize = b.maxsize;
    this.ticker = b.ticker;
    this.customizer = b.customizer;
  }

  /** A builder; defaults: 2 consumers, the text's 20 numbers, a job queue of at most 4 items. */
  public static Builder on(ExecutionModel model) {
    return new Builder(model);
  }

  /** The model. */
  public ExecutionModel model() {
    return model;
  }

  /** Consumer count. */
  public int consumers() {
    return consumers;
  }

  /** The items, in production order. */
  public List<Long> items() {
    return items;
  }

  /** The job queue's size limit. */
  public int maxsize() {
    return maxsize;
  }

  /** What the pipeline reports while it runs. All methods default to doing nothing. */
  public interface Listener {
    /** A consumer delivered a checked item (called on the collector's thread). */
    default void onResult(Delivery d) {}

    /** The job queue was joined: every item was processed; the pills go out now. Collector's thread. */
    default void onJoined(int items) {}

    /** A consumer acknowledged its pill. */
    default void onStopped(Delivery ack) {}
  }

  /**
   * The outcome of a run.
   *
   * @param arrivals every delivery in arrival order (results, the join notice, acknowledgements)
   * @param handledByConsumer items handled per consumer, from the acknowledgements
   * @param elapsedSeconds from before the pool started until the last acknowledgement
   */
  public record Report(List<Delivery> arrivals, Map<String, Long> handledByConsumer, double elapsedSeconds) {
    public Report {
      arrivals = List.copyOf(arrivals);
      handledByConsumer = Map.copyOf(handledByConsumer);
    }

    /** The item results, in arrival order. */
    public List<Delivery> results() {
      return arrivals.stream().filter(Delivery::isResult).toList();
    }
  }

  /**
   * Runs the pipeline.
   *
   * @throws IllegalStateException if an item was lost or delivered twice, or a consumer failed
   * @throws InterruptedException if interrupted; the pool is then shut down at once
   */
  public Report run(Listener listener) throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    long t0 = ticker.nanoTime();
    List<Delivery> arrivals = new ArrayList<>();
    Map<String, Long> handled = new LinkedHashMap<>();
    try (JoinableQueue<WorkItem> jobs = JoinableQueue.create(WorkItem.class, maxsize);
        JoinableQueue<Delivery> results = JoinableQueue.create(Delivery.class, 0)) {
      ExecutorConfig.Builder config = Spindle.executor(model).name("consumers").registry(QueueTasks.REGISTRY);
      if (model != ExecutionModel.SEQUENTIAL) {
        config.workers(consumers);
      }
      customizer.accept(config);
      TaskExecutor pool = config.start();
      Thread producer = null;
      try {
        List<TaskFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
          String name = "consumer-" + i;
          TaskFuture<Long> f = pool.submit(QueueTasks.CONSUME,
              new QueueTasks.ConsumerArgs(name, jobs.descriptor(), results.descriptor()));
          // A consumer that dies cannot acknowledge: tell the collector instead of letting it wait.
          f.onDone(done -> {
            if (done.isCancelled() || done.exception(java.time.Duration.ZERO) != null) {
              putQuietly(results, Delivery.failed(name, describe(done)));
            }
          });
          futures.add(f);
        }
        producer = Thread.ofPlatform().name("producer").daemon().start(() -> {
          try {
            for (long n : items) {
              jobs.put(WorkItem.job(n));
            }
            jobs.join();
            results.put(Delivery.joined(items.size())); // after every result: they were put before task_done
            for (int i = 0; i < consumers; i++) {
              jobs.put(WorkItem.pill());
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            putQuietly(results, Delivery.failed("producer", String.valueOf(e)));
          }
        });
        int stopped = 0;
        while (stopped < consumers) {
          Delivery d = results.get();
          arrivals.add(d);
          switch (d.kind()) {
            case RESULT -> listener.onResult(d);
            case JOINED -> listener.onJoined((int) d.n());
            case STOPPED -> {
              stopped++;
              handled.put(d.sender(), d.handled());
              listener.onStopped(d);
            }
            case FAILED -> throw new IllegalStateException(d.sender() + " failed: " + d.error());
          }
        }
        producer.join();
        for (TaskFuture<Long> f : futures) {
          f.result(); // rethrows a consumer's failure, if any slipped past its acknowledgement
        }
      } catch (InterruptedException | RuntimeException | Error e) {
        if (producer != null) {
          producer.interrupt();
        }
        pool.shutdownNow();
        throw e;
      } finally {
        pool.close();
      }
    }
    double elapsed = ticker.secondsSince(t0);
    verifyExactlyOnce(arrivals);
    return new Report(arrivals, handled, elapsed);
  }

  private void verifyExactlyOnce(List<Delivery> arrivals) {
    Map<Long, Integer> expected = new LinkedHashMap<>();
    items.forEach(n -> expected.merge(n, 1, Integer::sum));
    Map<Long, Integer> got = new LinkedHashMap<>();
    arrivals.stream().filter(Delivery::isResult).forEach(d -> got.merge(d.n(), 1, Integer::sum));
    if (!got.equals(expected)) {
      List<Long> lost = expected.keySet().stream().filter(n -> !got.containsKey(n)).toList();
      List<Long> twice = got.entrySet().stream().filter(e -> e.getValue() > expected.getOrDefault(e.getKey(), 0))
          .map(Map.Entry::getKey).toList();
      throw new IllegalStateException("items were not delivered exactly once: lost " + lost + ", extra " + twice);
    }
  }

  private static void putQuietly(JoinableQueue<Delivery> q, Delivery d) {
    try {
      q.put(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The queue is closed: the run is over anyway.
    }
  }

  private static String describe(TaskFuture<?> f) {
    if (f.isCancelled()) {
      return "cancelled";
    }
    Throwable t = f.exception(java.time.Duration.ZERO);
    return t == null ? "?" : String.valueOf(t.getCause() != null ? t.getCause() : t);
  }

  /** Validates and builds a {@link PoisonPillPipeline}. Not thread-safe. */
  public static final class Builder {
    private final ExecutionModel model;
    private int consumers = 2;
    private List<Long> items = PrimeDataset.TEXT.numbers();
    private int maxsize = 4;
    private Ticker ticker = Ticker.system();
    private Consumer<ExecutorConfig.Builder> customizer = b -> {};

    private Builder(ExecutionModel model) {
      this.model = Objects.requireNonNull(model, "model");
      if (model == ExecutionModel.DISTRIBUTED) {
        throw new IllegalArgumentException("the pipeline runs on SEQUENTIAL, THREADS, VIRTUAL or PROCESSES");
      }
    }

    /**
     * Consumer count. Each consumer occupies one worker for the whole run, so the pool gets exactly
     * this many workers (SEQUENTIAL runs them one after another).
     *
     * @throws IllegalArgumentException unless 1..64
     */
    public Builder consumers(int consumers) {
      if (consumers < 1 || consumers > 64) {
        throw new IllegalArgumentException("consumers must be 1..64: " + consumers);
      }
      this.consumers = consumers;
      return this;
    }

    /**
     * The numbers to produce.
     *
     * @throws IllegalArgumentException if empty
     */
    public Builder items(List<Long> items) {
      if (items.isEmpty()) {
        throw new IllegalArgumentException("produce at least one item");
      }
      this.items = List.copyOf(items);
      return this;
    }

    /**
     * The job queue's size limit (the producer blocks while it is full).
     *
     * @throws IllegalArgumentException if negative (0 = unbounded)
     */
    public Builder maxsize(int maxsize) {
      if (maxsize < 0) {
        throw new IllegalArgumentException("maxsize must be >= 0 (0 = unbounded): " + maxsize);
      }
      this.maxsize = maxsize;
      return this;
    }

    /** The time source. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Adjusts the executor configuration (e.g. process options). */
    public Builder configure(Consumer<ExecutorConfig.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** The immutable pipeline. */
    public PoisonPillPipeline build() {
      return new PoisonPillPipeline(this);
    }
  }
}
