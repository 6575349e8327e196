package dev.spindle.process.supervise;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps named child JVMs running: starts each {@link Slot}'s child, notices its death (exit
 * status or signal), and starts a replacement as the {@link RestartPolicy} says, detecting crash
 * loops. The process pool of the {@code PROCESSES} executor is built on it, and so is a service
 * manager: one supervision mechanism.
 *
 * <p>Thread-safe. Listener calls for one slot are serialized, and happen on the supervisor's
 * scheduler thread (never on the thread calling {@link #add} or {@link Slot#stop()}, except the
 * first {@link Listener#started}, which runs inside {@link #add}).
 *
 * <p>Slot life cycle ({@link Slot.State}), every other move fails loudly:
 * <table>
 *   <caption>Allowed transitions</caption>
 *   <tr><th>from</th><th>to</th><th>when</th></tr>
 *   <tr><td>RUNNING</td><td>WAITING</td><td>the child exited and the policy restarts it</td></tr>
 *   <tr><td>RUNNING</td><td>STOPPING</td><td>{@link Slot#stop()}</td></tr>
 *   <tr><td>RUNNING</td><td>STOPPED</td><td>the child exited and the policy gives up</td></tr>
 *   <tr><td>WAITING</td><td>RUNNING</td><td>a replacement started</td></tr>
 *   <tr><td>WAITING</td><td>WAITING</td><td>starting the replacement failed; retry later</td></tr>
 *   <tr><td>WAITING</td><td>STOPPED</td><td>{@link Slot#stop()} or the policy gives up</td></tr>
 *   <tr><td>STOPPING</td><td>STOPPED</td><td>the child exited</td></tr>
 * </table>
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  /** Callbacks about a slot's children. Implementations must not block for long. */
  public interface Listener {
    /** A child was started for the slot. */
    default void started(Slot slot, ChildProcess child) {}

    /**
     * The slot's child exited.
     *
     * @param restartIn the delay before the replacement starts, or empty if none will
     */
    default void exited(Slot slot, ChildProcess child, ExitStatus status, boolean expected,
        Optional<Duration> restartIn) {}

    /** Starting a child failed (the JVM could not even be launched). */
    default void startFailed(Slot slot, Exception error, Optional<Duration> retryIn) {}

    /**
     * The slot's children keep dying young: {@code failures} unexpected exits in a row, each
     * after less than {@code stableAfter}. Called when the count reaches the threshold and at each
     * further failure.
     */
    default void crashLoop(Slot slot, int failures) {}
  }

  private final String name;
  private final RestartPolicy policy;
  private final Listener listener;
  private final JvmLauncher launcher;
  private final LongSupplier ticker;
  private final Duration stableAfter;
  private final int crashLoopThreshold;
  private final ScheduledExecutorService scheduler;
  private final boolean ownScheduler;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private Supervisor(Builder b) {
    this.name = b.name;
    this.policy = b.policy;
    this.listener = b.listener;
    this.ticker = b.ticker;
    this.launcher = new JvmLauncher(b.clock, b.ticker);
    this.stableAfter = b.stableAfter;
    this.crashLoopThreshold = b.crashLoopThreshold;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownScheduler = false;
    } else {
      this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spindle-supervisor-" + b.name);
        t.setDaemon(true);
        return t;
      });
      this.ownScheduler = true;
    }
  }

  /** A builder; {@code name} is used in thread names and logs. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The supervisor's name. */
  public String name() {
    return name;
  }

  /**
   * Adds a slot and starts its first child now.
   *
   * @param id unique slot id, e.g. {@code worker(0)}
   * @param spec makes the spec of each child (called for every start, so titles or options may
   *     change between generations)
   * @throws IOException if the first child cannot be started (the slot is not added)
   * @throws IllegalArgumentException if the id is taken
   */
  public Slot add(String id, Supplier<ChildSpec> spec) throws IOException {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Slot slot = new Slot(id, spec);
    if (slots.putIfAbsent(id, slot) != null) {
      throw new IllegalArgumentException("slot '" + id + "' already exists in supervisor " + name);
    }
    try {
      synchronized (slot) {
        slot.launch();
      }
    } catch (IOException | RuntimeException e) {
      slots.remove(id);
      throw e;
    }
    return slot;
  }

  /** The slot with the given id, if any. */
  public Optional<Slot> slot(String id) {
    return Optional.ofNullable(slots.get(id));
  }

  /** Stops every slot (see {@link Slot#stop()}) and, if it owns it, its scheduler after they end. */
  @Override
  public void close() {
    closed = true;
    slots.values().forEach(Slot::stop);
    shutdownIfDrained();
  }

  /**
   * Once closed and every slot has ended, shuts the own scheduler down. Not earlier: the exits of
   * the children still running are handled on it (a shut-down scheduler would refuse them, leaving
   * their slots STOPPING forever and their exits unreported).
   */
  private void shutdownIfDrained() {
    if (ownScheduler && closed && slots.isEmpty()) {
      scheduler.shutdown();
    }
  }

  /**
   * One supervised position (e.g. {@code worker(0)}) holding at most one child at a time.
   * Thread-safe.
   */
  public final class Slot {
    /** The slot's life cycle; see the table on {@link Supervisor}. */
    public enum State {
      /** A child is running. */
      RUNNING,
      /** The child died; a replacement is scheduled. */
      WAITING,
      /** Stop was asked; the child is still running. */
      STOPPING,
      /** No child, and none will be started. Terminal. */
      STOPPED;

      private static final Map<State, EnumSet<State>> ALLOWED = Map.of(
          RUNNING, EnumSet.of(WAITING, STOPPING, STOPPED),
          WAITING, EnumSet.of(RUNNING, WAITING, STOPPED),
          STOPPING, EnumSet.of(STOPPED),
          STOPPED, EnumSet.noneOf(State.class));

      boolean canMoveTo(State next) {
        return ALLOWED.getOrDefault(this, EnumSet.noneOf(State.class)).contains(next);
      }
    }

    private final String id;
    private final Supplier<ChildSpec> spec;
    private State state = State.WAITING;
    private @Nullable ChildProcess child;
    private boolean retiring;
    private int failures;
    private int generation;
    private @Nullable ScheduledFuture<?> pendingRestart;

    private Slot(String id, Supplier<ChildSpec> spec) {
      this.id = id;
      this.spec = spec;
    }

    /** The slot's id. */
    public String id() {
      return id;
    }

    /** The current state. */
    public synchronized State state() {
      return state;
    }

    /** The running child, if any. */
    public synchronized Optional<ChildProcess> child() {
      return state == State.RUNNING || state == State.STOPPING ? Optional.ofNullable(child) : Optional.empty();
    }

    /** How many children this slot started, the current one included. */
    public synchronized int generation() {
      return generation;
    }

    /** Unexpected short-lived exits in a row. */
    public synchronized int consecutiveFailures() {
      return failures;
    }

    /** The supervisor owning this slot. */
    public Supervisor supervisor() {
      return Supervisor.this;
    }

    /**
     * Marks the current child's coming exit as expected (recycling): it is not a failure and the
     * replacement starts at once if the policy allows. The caller makes the child exit (asks it
     * politely or {@link ChildProcess#kill()}s it).
     */
    public synchronized void retire() {
      if (state == State.RUNNING) {
        retiring = true;
      }
    }

    /**
     * Stops supervising: no replacement will be started. A running child is left to exit (ask it,
     * or use {@link #kill()}), and its exit is reported to {@link Listener#exited} with no restart;
     * a pending restart is cancelled. Idempotent.
     *
     * @return true if this call ended the slot at once (no child was running, so no
     *     {@link Listener#exited} call will follow); false if a child is still to exit or the slot
     *     was already stopping
     */
    public synchronized boolean stop() {
      switch (state) {
        case RUNNING -> {
          moveTo(State.STOPPING);
          return false;
        }
        case WAITING -> {
          if (pendingRestart != null) {
            pendingRestart.cancel(false);
          }
          moveTo(State.STOPPED);
          slots.remove(id, this);
          return true;
        }
        default -> {
          return false;
        }
      }
    }

    /** Sends SIGKILL to the running child, if any. The exit is handled like any other. */
    public void kill() {
      child().ifPresent(ChildProcess::kill);
    }

    // Called with this slot's monitor held.
    private void launch() throws IOException {
      ChildSpec s = spec.get();
      ChildProcess c = launcher.start(s);
      generation++;
      child = c;
      retiring = false;
      moveTo(State.RUNNING);
      LOG.debug("{}: started {} for slot {}", name, c, id);
      try {
        listener.started(this, c);
      } catch (RuntimeException e) {
        LOG.warn("{}: listener failed on start of {}", name, c, e);
      }
      c.onExit().thenAcceptAsync(status -> onExit(c, status), scheduler);
    }

    private void onExit(ChildProcess c, ExitStatus status) {
      Optional<Duration> restart;
      boolean expected;
      int failuresNow;
      synchronized (this) {
        if (c != child) {
          return;
        }
        // monotonic: a step of the wall clock neither hides a crash loop nor makes one up
        Duration uptime = Duration.ofNanos(ticker.getAsLong() - c.startedNanos());
        expected = retiring || state == State.STOPPING;
        if (expected) {
          failures = 0;
        } else if (uptime.compareTo(stableAfter) >= 0) {
          failures = 1;
        } else {
          failures++;
        }
        failuresNow = expected ? 0 : failures;
        if (state == State.STOPPING) {
          restart = Optional.empty();
          moveTo(State.STOPPED);
          slots.remove(id, this);
        } else {
          restart = safeDelay(new RestartPolicy.Exit(status, uptime, expected, failuresNow));
          if (restart.isPresent()) {
            moveTo(State.WAITING);
            schedule(restart.get());
          } else {
            moveTo(State.STOPPED);
            slots.remove(id, this);
          }
        }
      }
      LOG.debug("{}: {} of slot {} exited: {}{}", name, c, id, status,
          restart.map(d -> "; restarting in " + d.toMillis() + " ms").orElse("; not restarting"));
      try {
        listener.exited(this, c, status, expected, restart);
        if (failuresNow >= crashLoopThreshold) {
          LOG.warn("{}: slot {} is crash-looping: {} failures in a row, each within {}", name, id, failuresNow,
              stableAfter);
          listener.crashLoop(this, failuresNow);
        }
      } catch (RuntimeException e) {
        LOG.warn("{}: listener failed on exit of {}", name, c, e);
      }
      shutdownIfDrained();
    }

    private Optional<Duration> safeDelay(RestartPolicy.Exit exit) {
      try {
        return policy.restartDelay(exit);
      } catch (RuntimeException e) {
        LOG.warn("{}: restart policy failed for slot {}; not restarting", name, id, e);
        return Optional.empty();
      }
    }

    private void schedule(Duration delay) {
      pendingRestart = scheduler.schedule(this::restart, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void restart() {
      Exception failure = null;
      Optional<Duration> retry = Optional.empty();
      synchronized (this) {
        if (state != State.WAITING) {
          return;
        }
        pendingRestart = null;
        try {
          launch();
          return;
        } catch (IOException | RuntimeException e) {
          failure = e;
          failures++;
          retry = safeDelay(new RestartPolicy.Exit(new ExitStatus(127), Duration.ZERO, false, failures));
          if (retry.isPresent()) {
            moveTo(State.WAITING);
            schedule(retry.get());
          } else {
            moveTo(State.STOPPED);
            slots.remove(id, this);
          }
        }
      }
      LOG.warn("{}: could not start a child for slot {}", name, id, failure);
      try {
        listener.startFailed(this, failure, retry);
      } catch (RuntimeException e) {
        LOG.warn("{}: listener failed", name, e);
      }
      shutdownIfDrained();
    }

    private void moveTo(State next) {
      if (!state.canMoveTo(next)) {
        throw new IllegalStateException("slot " + id + " of supervisor " + name + ": illegal move " + state
            + " -> " + next);
      }
      state = next;
    }

    @Override
    public String toString() {
      return "Slot[" + id + " " + state() + "]";
    }
  }

  /** Builds a {@link Supervisor}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    private Listener listener = new Listener() {};
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private Duration stableAfter = Duration.ofSeconds(10);
    private int crashLoopThreshold = 5;
    private @Nullable ScheduledExecutorService scheduler;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The restart policy (default: backoff from 100 ms to 10 s). */
    public Builder restartPolicy(RestartPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The listener (default: none). */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock stamping children's start times, {@link ChildProcess#startedAt()} (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The monotonic time source, in nanoseconds, that children's uptimes (compared with
     * {@link #stableAfter}) are measured with (default: {@link System#nanoTime()}).
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * A child that ran at least this long resets the failure count (default 10 s).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder stableAfter(Duration stableAfter) {
      if (stableAfter.isNegative()) {
        throw new IllegalArgumentException("stableAfter must not be negative: " + stableAfter);
      }
      this.stableAfter = stableAfter;
      return this;
    }

    /**
     * Failures in a row that count as a crash loop (default 5).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder crashLoopThreshold(int threshold) {
      if (threshold < 1) {
        throw new IllegalArgumentException("crashLoopThreshold must be >= 1: " + threshold);
      }
      this.crashLoopThreshold = threshold;
      return this;
    }

    /** The scheduler for restarts and callbacks (default: an own daemon thread). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The supervisor. */
    public Supervisor build() {
      return new Supervisor(this);
    }
  }
}
