package dev.spindle.bench;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.process.supervise.ParentWatchdog;
import dev.spindle.supervisor.ControlClient;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceContext;
import dev.spindle.supervisor.ServiceListener;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.WorkerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Numbers of the service manager, measured on real child JVMs:
 *
 * <ol>
 *   <li><b>respawn latency</b> after {@code kill -9} of a child: until the replacement process
 *       exists ("running", what {@code ps} shows) and until its service is built ("ready");</li>
 *   <li><b>master-kill cleanup</b>: {@code kill -9} of a master process with N children, until no
 *       child runs any more (zombies awaiting init's reaping count as gone);</li>
 *   <li><b>scale-up time</b>: {@code scale(svc, 1 + K)}, per new child, until launched and until
 *       ready, with the time the {@code scale} call itself took.</li>
 * </ol>
 *
 * <pre>
 * mvn -B -q -pl spindle-bench -am install -DskipTests
 * mvn -B -q -pl spindle-bench dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp spindle-bench/target/classes:$(cat spindle-bench/target/cp.txt) dev.spindle.bench.SupervisorBench \
 *     [--kills 20] [--workers 4] [--master-kills 5] [--master-children 3] [--scale 4] [--scale-rounds 3]
 * </pre>
 *
 * <p>Respawn uses {@code stableAfter = 0}, so that each kill is a first failure restarted at once
 * (a real crash loop is backed off on purpose; that is tested, not timed).
 */
public final class SupervisorBench {
  /** The measured service: waits for its stop signal. */
  public static final class Idle extends Service {
    /** Built by the worker runtime. */
    public Idle(ServiceContext context) {
      super(context);
    }

    @Override
    public void run() throws InterruptedException {
      context().awaitStop();
    }
  }

  private SupervisorBench() {}

  /** Runs the benchmark; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--as-master")) {
      runAsMaster(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
      return;
    }
    int kills = 20;
    int workers = 4;
    int masterKills = 5;
    int masterChildren = 3;
    int scale = 4;
    int scaleRounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kills" -> kills = Integer.parseInt(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--master-kills" -> masterKills = Integer.parseInt(args[++i]);
        case "--master-children" -> masterChildren = Integer.parseInt(args[++i]);
        case "--scale" -> scale = Integer.parseInt(args[++i]);
        case "--scale-rounds" -> scaleRounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("spindle-supervisor-bench");
    System.out.printf(Locale.ROOT, "machine: %d cores, load average %.2f; JDK %s%n",
        Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        System.getProperty("java.version"));
    respawn(dir, kills, workers);
    masterKill(dir, masterKills, masterChildren);
    scaleUp(dir, scale, scaleRounds);
  }

  // ------------------------------------------------------------------ respawn

  private static void respawn(Path dir, int kills, int workers) throws Exception {
    Events ev = new Events();
    ServiceManager m = manager(dir, "bench-respawn", ev)
        .service(ServiceConfig.builder("idle", Idle.class).workers(workers).stableAfter(Duration.ZERO)
            .stopTimeout(Duration.ofSeconds(5)).build()).build().start();
    try {
      ev.awaitReady(workers);
      List<Long> toRunning = new ArrayList<>();
      List<Long> toReady = new ArrayList<>();
      for (int k = 0; k < kills; k++) {
        WorkerStatus victim = m.status().services().get(0).workerStatuses().get(k % workers);
        long pid = victim.pid();
        ev.reset();
        long t0 = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Events.Mark started = ev.awaitStarted();
        Events.Mark ready = ev.awaitReadyOf(started.pid());
        toRunning.add(started.nanos() - t0);
        toReady.add(ready.nanos() - t0);
      }
      System.out.printf(Locale.ROOT, "%nrespawn after kill -9 (%d kills over %d workers):%n", kills, workers);
      print("  replacement running (launched)", toRunning);
      print("  replacement ready (service built)", toReady);
    } finally {
      m.close();
    }
  }

  // ------------------------------------------------------------------ master kill

  private static void masterKill(Path dir, int rounds, int children) throws Exception {
    Path run = RunDirectory.ensure(dir.resolve("run"));
    List<Long> cleanup = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String name = "bench-master-" + r;
      ChildSpec spec = ChildSpec.builder("spindle: master process [bench]", SupervisorBench.class.getName())
          .args(List.of("--as-master", run.toString(), name, Integer.toString(children)))
          .stdout(ProcessBuilder.Redirect.DISCARD).build();
      ChildProcess master = new JvmLauncher().start(spec);
      ControlClient ctl = ControlClient.of(RunDirectory.socketPath(run, name));
      List<Long> pids = awaitChildrenReady(ctl, children, master);
      long t0 = System.nanoTime();
      master.kill();
      while (pids.stream().anyMatch(SupervisorBench::running)) {
        Thread.sleep(2); // polling /proc: the measurement's resolution
      }
      cleanup.add(System.nanoTime() - t0);
      master.onExit().get(10, TimeUnit.SECONDS);
    }
    System.out.printf(Locale.ROOT, "%nmaster kill -9 -> no child running (%d rounds, %d children each):%n", rounds,
        children);
    print("  cleanup", cleanup);
  }

  private static List<Long> awaitChildrenReady(ControlClient ctl, int n, ChildProcess master) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!master.isAlive()) {
        throw new IllegalStateException("bench master died");
      }
      try {
        List<WorkerStatus> ws = ctl.status().services().get(0).workerStatuses();
        if (ws.size() == n && ws.stream().allMatch(w -> w.state().name().equals("RUNNING"))) {
          return ws.stream().map(WorkerStatus::pid).toList();
        }
      } catch (RuntimeException e) {
        // not up yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("children not ready within 60 s");
  }

  private static void runAsMaster(Path run, String name, int children) {
    ParentWatchdog.startFromEnvironment();
    ServiceManager.builder().name(name).runDirectory(run).handleSignals(true)
        .service(ServiceConfig.builder("idle", Idle.class).workers(children).build()).build().run();
  }

  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ scale up

  private static void scaleUp(Path dir, int k, int rounds) throws Exception {
    Events ev = new Events();
    ServiceManager m = manager(dir, "bench-scale", ev)
        .service(ServiceConfig.builder("idle", Idle.class).workers(1).stopTimeout(Duration.ofSeconds(5)).build())
        .build().start();
    try {
      ev.awaitReady(1);
      List<Long> call = new ArrayList<>();
      List<Long> launched = new ArrayList<>();
      List<Long> ready = new ArrayList<>();
      List<Long> allReady = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        ev.reset();
        long t0 = System.nanoTime();
        m.scale("idle", 1 + k);
        call.add(System.nanoTime() - t0);
        ev.awaitReady(k);
        allReady.add(ev.lastReady() - t0);
        for (Events.Mark s : ev.started) {
          launched.add(s.nanos() - t0);
          ready.add(ev.readyOf(s.pid()).nanos() - t0);
        }
        ev.reset();
        m.scale("idle", 1);
        ev.awaitExited(k);
      }
      System.out.printf(Locale.ROOT, "%nscale-up 1 -> %d (%d rounds):%n", 1 + k, rounds);
      print("  scale() call returns", call);
      print("  each new child launched", launched);
      print("  each new child ready", ready);
      print("  all " + k + " new children ready", allReady);
      List<Long> perChild = allReady.stream().map(t -> t / k).toList();
      print("  all ready / " + k + " (per child)", perChild);
    } finally {
      m.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static ServiceManager.Builder manager(Path dir, String name, Events ev) throws IOException {
    return ServiceManager.builder().name(name).runDirectory(RunDirectory.ensure(dir.resolve("run"))).listener(ev)
        .childStdout(ProcessBuilder.Redirect.DISCARD);
  }

  private static void print(String what, List<Long> nanos) {
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    double p50 = s.get(s.size() / 2) / 1e6;
    double p90 = s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.9) - 1)) / 1e6;
    System.out.printf(Locale.ROOT, "%-40s n=%-3d min %7.1f ms  p50 %7.1f ms  p90 %7.1f ms  max %7.1f ms%n", what,
        s.size(), s.get(0) / 1e6, p50, p90, s.get(s.size() - 1) / 1e6);
  }

  /** Listener keeping the times of starts and readiness. */
  private static final class Events implements ServiceListener {
    record Mark(long pid, long nanos) {}

    final List<Mark> started = Collections.synchronizedList(new ArrayList<>());
    final Map<Long, Mark> ready = new ConcurrentHashMap<>();
    volatile int exited;
    private final Object lock = new Object();

    void reset() {
      started.clear();
      ready.clear();
      exited = 0;
    }

    @Override
    public void workerStarted(String service, int workerId, long pid) {
      started.add(new Mark(pid, System.nanoTime()));
      wake();
    }

    @Override
    public void workerReady(String service, int workerId, long pid, Duration startup) {
      ready.put(pid, new Mark(pid, System.nanoTime()));
      wake();
    }

    @Override
    public void workerExited(String service, int workerId, long pid, dev.spindle.process.supervise.ExitStatus status,
        boolean expected, java.util.Optional<Duration> restartIn) {
      exited++;
      wake();
    }

    private void wake() {
      synchronized (lock) {
        lock.notifyAll();
      }
    }

    private void await(java.util.function.BooleanSupplier done) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      synchronized (lock) {
        while (!done.getAsBoolean()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IllegalStateException("timed out");
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      }
    }

    void awaitReady(int n) throws InterruptedException {
      await(() -> ready.size() >= n);
    }

    void awaitExited(int n) throws InterruptedException {
      await(() -> exited >= n);
    }

    Mark awaitStarted() throws InterruptedException {
      await(() -> !started.isEmpty());
      return started.get(0);
    }

    Mark awaitReadyOf(long pid) throws InterruptedException {
      await(() -> ready.containsKey(pid));
      return Objects.requireNonNull(ready.get(pid));
    }

    Mark readyOf(long pid) {
      return Objects.requireNonNull(ready.get(pid), "no ready mark of pid " + pid);
    }

    long lastReady() {
      return ready.values().stream().mapToLong(Mark::nanos).max().orElseThrow();
    }
  }
}
