package dev.spindle.testkit;

import static dev.spindle.testkit.ContractTasks.GATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.RemoteTaskException;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * What every part of {@link ExecutorContract} stands on: the capability hooks a model overrides
 * ({@link #model()}, {@link #workers()}, {@link #configure}, {@link #supportsExecutorService()},
 * {@link #start}), a {@link GateServer} per test, the executors the test started (shut down and
 * awaited after it), and the helpers the parts share. Subclass {@link ExecutorContract}, not this.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ExecutorContractFixture {
  /** The bound of every wait that should succeed, so a broken backend fails instead of hanging. */
  static final Duration LONG = GateServer.DEFAULT_WAIT;
  /** An expected timeout: short, as no test sleeps. */
  static final Duration SHORT = Duration.ofMillis(150);

  /** The gate server of the current test. */
  protected GateServer gates;
  private final List<TaskExecutor> started = new ArrayList<>();

  /** The model under test. */
  protected abstract ExecutionModel model();

  /**
   * The worker count the suite configures: default 2, and 1 for SEQUENTIAL. Return 0 to test
   * VIRTUAL's unlimited mode, where nothing ever waits for a worker (queue-related assertions then
   * check that executions run at once instead).
   */
  protected int workers() {
    return model() == ExecutionModel.SEQUENTIAL ? 1 : 2;
  }

  /** Adds backend settings (e.g. process options) to every configuration the suite builds. */
  protected ExecutorConfig.Builder configure(ExecutorConfig.Builder builder) {
    return builder;
  }

  /**
   * True if {@link TaskExecutor#asExecutorService()} works; false if it must throw
   * {@link UnsupportedOperationException} (models whose workers are other JVMs). Default true.
   */
  protected boolean supportsExecutorService() {
    return true;
  }

  /** Starts the executor for a configuration; override to start it differently. */
  protected TaskExecutor start(ExecutorConfig config) {
    return Spindle.start(config);
  }

  /** True when executions can wait for a worker (a fixed worker count). */
  protected final boolean bounded() {
    return workers() > 0;
  }

  /** How many gates run at once before one queues (2 for unlimited mode). */
  int slots() {
    return bounded() ? workers() : 2;
  }

  /** Starts an executor with the suite's registry and worker count, then {@code custom}. */
  protected final TaskExecutor executor(UnaryOperator<ExecutorConfig.Builder> custom) {
    ExecutorConfig.Builder b = Spindle.executor(model()).registry(TaskRegistry.of(ContractTasks.class))
        .workers(workers()).name("contract-" + model().name().toLowerCase(java.util.Locale.ROOT));
    TaskExecutor ex = start(custom.apply(configure(b)).build());
    started.add(ex);
    return ex;
  }

  /** Starts an executor with the suite's defaults. */
  protected final TaskExecutor executor() {
    return executor(b -> b);
  }

  @BeforeEach
  void openGates() throws IOException {
    gates = new GateServer();
  }

  @AfterEach
  void closeAll() throws InterruptedException {
    gates.close();
    List<String> stuck = new ArrayList<>();
    for (TaskExecutor ex : started) {
      ex.shutdownNow();
      if (!ex.awaitTermination(LONG)) {
        stuck.add(ex.toString());
      }
    }
    started.clear();
    assertThat(stuck).as("executors that did not terminate after shutdownNow").isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /** Asserts a task's exception, as thrown locally or carried back from another JVM. */
  protected static void assertTaskException(@Nullable Throwable cause, Class<? extends Throwable> type, String message) {
    assertThat(cause).isNotNull();
    if (cause instanceof RemoteTaskException r) {
      assertThat(r.remoteType()).isEqualTo(type.getName());
      assertThat(r.remoteMessage()).isEqualTo(message);
      assertThat(r.getStackTrace()).as("remote stack trace").isNotEmpty();
    } else {
      assertThat(cause).isInstanceOf(type).hasMessage(message);
    }
  }

  /** Occupies every slot with a gate named {@code prefix + i}, waiting until each has started. */
  List<TaskFuture<String>> fillWorkers(TaskExecutor pool, String prefix) {
    List<TaskFuture<String>> fs = new ArrayList<>();
    for (int i = 0; i < slots(); i++) {
      fs.add(pool.submit(GATE, gates.gate(prefix + i)));
      gates.awaitArrived(prefix + i); // one at a time: a small backlog never overflows here
    }
    return fs;
  }

  /** Shuts the executor down and asserts that it terminates. */
  static void terminate(TaskExecutor pool) throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(LONG)).as("terminated").isTrue();
  }
}
