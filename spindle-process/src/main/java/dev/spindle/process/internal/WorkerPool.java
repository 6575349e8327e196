package dev.spindle.process.internal;

import dev.spindle.ExecutorConfig;
import dev.spindle.TaskRegistry;
import dev.spindle.process.ProcessOptions;
import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.process.supervise.Supervisor;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker JVMs of one process pool: one {@link Supervisor} slot per worker, the JVM settings
 * each launch uses (class-data sharing included), the {@link WorkerConnection} opened to each
 * worker as it starts, its hello and its start-up deadline, and the stop of a worker with the
 * poison pill and its deadline. Exits and failed launches go to the
 * {@link ProcessExecutor} (the scheduling state is its {@link Dispatcher}'s). The connection array
 * is safe to read from any thread; the slots are set once, during start.
 */
final class WorkerPool {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessExecutor.class);

  private final ExecutorConfig config;
  private final ProcessOptions options;
  private final TaskRegistry registry;
  private final JobFrames frames;
  private final ProcessExecutor owner;
  /** The pool's one scheduler thread: the supervisor's restarts, deadlines and the rebalancer. */
  final ScheduledExecutorService scheduler;
  final Supervisor supervisor;
  private final Supervisor.@Nullable Slot[] slots;
  private final ClassDataSharing.Plan[] plans;
  private final AtomicReferenceArray<WorkerConnection> conns;
  private final byte[] stopFrame;

  WorkerPool(ExecutorConfig config, ProcessOptions options, TaskRegistry registry, JobFrames frames,
      ProcessExecutor owner) {
    this.config = config;
    this.options = options;
    this.registry = registry;
    this.frames = frames;
    this.owner = owner;
    int n = config.workers();
    this.slots = new Supervisor.Slot[n];
    this.plans = new ClassDataSharing.Plan[n];
    this.conns = new AtomicReferenceArray<>(n);
    this.stopFrame = frames.stop();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spindle-" + config.name() + "-supervisor");
      t.setDaemon(true);
      return t;
    });
    this.supervisor = Supervisor.builder(config.name()).restartPolicy(options.restartPolicy())
        .scheduler(scheduler).clock(config.clock()).listener(new Listener()).build();
  }

  /** Launches every worker and waits until each said it is ready. */
  void start() throws IOException, ExecutionException, TimeoutException, InterruptedException {
    for (int i = 0; i < slots.length; i++) {
      int index = i;
      slots[i] = supervisor.add("worker(" + i + ")", () -> spec(index));
    }
    for (int i = 0; i < slots.length; i++) {
      conns.get(i).ready.get(options.startupTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
  }

  /** The number of workers (slots). */
  int size() {
    return slots.length;
  }

  /** The connection to worker {@code i}, or null while it has none. */
  @Nullable WorkerConnection connection(int i) {
    return conns.get(i);
  }

  /** Forgets {@code w} if it is still the connection of its slot. */
  void forget(WorkerConnection w) {
    conns.compareAndSet(w.index, w, null);
  }

  /** Slot {@code i}, or null if the pool failed before creating it. */
  Supervisor.@Nullable Slot slot(int i) {
    return slots[i];
  }

  /**
   * Marks {@code w} stopping (the pool's lock held) and returns what stops it, to run once the lock
   * is released: its slot stopped ({@code forGood}) or retired (the supervisor replaces it), the
   * poison pill, and a kill if it has not exited within the stop timeout.
   */
  Runnable stopLocked(WorkerConnection w, boolean forGood) {
    w.stopping = true;
    return () -> {
      if (forGood) {
        if (w.slot.stop()) {
          owner.slotGone();
        }
      } else {
        w.slot.retire();
      }
      w.writer.send(stopFrame);
      long ms = options.stopTimeout().toMillis();
      scheduler.schedule(() -> {
        if (w.child.isAlive()) {
          LOG.warn("{} did not exit within {} ms of the poison pill; killing it", w, ms);
          w.kill("it did not acknowledge the poison pill within " + ms + " ms");
        }
      }, ms, TimeUnit.MILLISECONDS);
    };
  }

  /**
   * For the shutdown, once no work is left (the pool's lock held): adds to {@code after} the stop
   * of each idle worker for good, and of each slot waiting to restart its worker.
   */
  void stopIdleLocked(List<Runnable> after) {
    for (int i = 0; i < slots.length; i++) {
      WorkerConnection w = conns.get(i);
      if (w != null && w.isReady && !w.stopping && w.inFlight.isEmpty()) {
        after.add(stopLocked(w, true));
      } else if (w == null || (!w.isReady && !w.stopping)) {
        Supervisor.Slot s = slots[i];
        if (s != null && s.state() == Supervisor.Slot.State.WAITING) {
          after.add(() -> {
            if (s.stop()) {
              owner.slotGone();
            }
          });
        }
      }
    }
  }

  /** The process ids of the live workers, -1 where none runs. */
  long[] pids() {
    long[] pids = new long[slots.length];
    for (int i = 0; i < pids.length; i++) {
      WorkerConnection w = conns.get(i);
      pids[i] = w == null || !w.child.isAlive() ? -1 : w.child.pid();
    }
    return pids;
  }

  private ChildSpec spec(int index) {
    ClassDataSharing.Plan plan = ClassDataSharing.plan(options);
    plans[index] = plan;
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xlog:cds=off");
    jvm.add("-Xlog:cds+dynamic=off");
    jvm.addAll(plan.jvmOptions);
    jvm.addAll(options.jvmOptions());
    jvm = JvmLauncher.withDefaultGc(jvm);
    return ChildSpec.builder(workerName(index), WorkerMain.class.getName())
        .javaHome(options.javaHome()).classpath(options.classpath()).maxHeap(options.maxHeap())
        .jvmOptions(jvm).stderr(options.stderr()).build();
  }

  private String workerName(int index) {
    return config.name() + " worker(" + index + ")";
  }

  private int indexOf(Supervisor.Slot slot) {
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] == slot) {
        return i;
      }
    }
    // During construction the slot is not yet stored: its id carries the index.
    String id = slot.id();
    return Integer.parseInt(id.substring(id.indexOf('(') + 1, id.indexOf(')')));
  }

  private final class Listener implements Supervisor.Listener {
    @Override
    public void started(Supervisor.Slot slot, ChildProcess child) {
      int index = indexOf(slot);
      WorkerConnection w = new WorkerConnection(index, workerName(index), slot, child,
          plans[index] == null ? ClassDataSharing.Plan.NONE : plans[index], options.maxFrameBytes(),
          options.maxInFlightPerWorker(), owner);
      conns.set(index, w);
      w.writer.send(frames.hello(w.name, registry));
      long ms = options.startupTimeout().toMillis();
      scheduler.schedule(() -> {
        if (!w.ready.isDone()) {
          w.kill("it did not become ready within " + ms + " ms of its launch");
        }
      }, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void exited(Supervisor.Slot slot, ChildProcess child, ExitStatus status, boolean expected,
        Optional<Duration> restartIn) {
      int index = indexOf(slot);
      WorkerConnection w = conns.get(index);
      if (w == null || w.child != child) {
        if (restartIn.isEmpty()) {
          owner.slotGone();
        }
        return;
      }
      w.drained.completeOnTimeout(null, 2, TimeUnit.SECONDS)
          .thenRun(() -> owner.onWorkerExit(w, status, restartIn.isEmpty()));
    }

    @Override
    public void startFailed(Supervisor.Slot slot, Exception error, Optional<Duration> retryIn) {
      owner.onStartFailed(error, retryIn.isEmpty());
    }
  }
}
