package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ParentWatchdog;
import dev.spindle.supervisor.Service;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The entry point of a service worker JVM. Started only by a {@code ServiceManager}, which passes
 * the service's identity in the environment ({@link ChildEnv}); the arguments and limits come over
 * the master's control socket.
 *
 * <p>Steps: start the parent watchdogs (the master's pid, end-of-file on standard input, and the
 * loss of the control connection each halt the JVM with status {@value ParentWatchdog#EXIT_STATUS});
 * ignore SIGINT and SIGHUP (the master handles them for the group); on SIGTERM set the stop signal
 * and call {@link Service#terminate()}; say hello, build the service, report ready, run it, and
 * exit 0 once it has returned and stop was requested. Exit statuses: 0 stopped on request,
 * {@value #EXIT_RUN_FAILED} {@code run} threw, {@value #EXIT_START_FAILED} the service could not be
 * built or the master could not be reached.
 */
public final class ServiceMain {
  /** {@link Service#run()} threw. */
  public static final int EXIT_RUN_FAILED = 1;
  /** The worker could not start: environment, master unreachable, class or constructor failed. */
  public static final int EXIT_START_FAILED = 3;

  private final Object lock = new Object();
  private final CountDownLatch terminateReceived = new CountDownLatch(1);
  private @Nullable ChildContext ctx;
  private @Nullable Service service;
  private boolean stopping;
  private @Nullable Thread terminator;
  private @Nullable LineChannel link;
  private String label = "service worker";

  private ServiceMain() {}

  /** Runs the worker; never returns. */
  public static void main(String[] args) {
    new ServiceMain().run();
  }

  private void run() {
    ParentWatchdog.startFromEnvironment();
    ParentWatchdog.watchStdin(System.in);
    PosixSignals.set("INT", PosixSignals.IGNORE);
    PosixSignals.set("HUP", PosixSignals.IGNORE);
    PosixSignals.handle("TERM", () -> {
      terminateReceived.countDown();
      requestStop();
    });

    String socket = requireEnv(ChildEnv.SOCKET);
    String token = requireEnv(ChildEnv.TOKEN);
    String name = requireEnv(ChildEnv.SERVICE);
    String className = requireEnv(ChildEnv.SERVICE_CLASS);
    int workerId = Integer.parseInt(requireEnv(ChildEnv.WORKER_ID));
    label = name + " worker(" + workerId + ") (pid " + ProcessHandle.current().pid() + ")";

    Map<String, Object> welcome;
    try {
      link = LineChannel.connect(Path.of(socket));
      link.writeLine(FlatJson.encode("op", "hello", "token", token, "pid", ProcessHandle.current().pid()));
      String line = link.readLine();
      welcome = line == null ? null : FlatJson.decode(line);
    } catch (IOException e) {
      fail(EXIT_START_FAILED, "cannot reach the master at " + socket + ": " + e.getMessage(), null);
      return;
    }
    if (welcome == null || !Boolean.TRUE.equals(welcome.get("ok"))) {
      fail(EXIT_START_FAILED, "the master refused this worker: "
          + (welcome == null ? "connection closed" : welcome.get("error")), null);
      return;
    }
    String argsJson = welcome.get("args") instanceof String a ? a : null;
    long maxJobs = number(welcome, "maxJobs", 0);
    Duration stopTimeout = Duration.ofMillis(number(welcome, "stopTimeoutMs", 10_000));
    long reportMs = Math.max(50, number(welcome, "reportMs", 1000));

    LineChannel connected = link;
    Thread reader = new Thread(() -> readLink(connected), "spindle-master-link");
    reader.setDaemon(true);
    reader.start();

    ChildContext c = new ChildContext(name, workerId, argsJson, maxJobs, stopTimeout, this::jobLimitReached);
    synchronized (lock) {
      ctx = c;
      if (stopping) {
        exit(0);
      }
    }
    Service s;
    try {
      Class<?> raw = Class.forName(className);
      @SuppressWarnings("unchecked")
      Class<? extends Service> type = (Class<? extends Service>) raw.asSubclass(Service.class);
      s = Service.instantiate(type, c);
    } catch (InvocationTargetException e) {
      fail(EXIT_START_FAILED, "the constructor of " + className + " threw", e.getCause());
      return;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      fail(EXIT_START_FAILED, "cannot build service class " + className, e);
      return;
    }
    synchronized (lock) {
      service = s;
      if (stopping) {
        startTerminator(c, s);
      }
    }
    send(FlatJson.encode("op", "ready"));
    Thread reporter = new Thread(() -> report(c, reportMs), "spindle-reporter");
    reporter.setDaemon(true);
    reporter.start();

    try {
      s.run();
    } catch (Throwable t) {
      if (!c.stopRequested()) {
        fail(EXIT_RUN_FAILED, "run() failed", t);
        return;
      }
    }
    awaitUninterruptibly(c);
    // A worker that stopped itself (job limit) waits for the master's SIGTERM, so that the master
    // knows the exit is a planned one; it gives up after the stop timeout.
    awaitQuietly(terminateReceived, stopTimeout);
    Thread t;
    synchronized (lock) {
      t = terminator;
    }
    if (t != null) {
      try {
        t.join(Math.max(1, stopTimeout.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    exit(0);
  }

  private void readLink(LineChannel link) {
    try {
      while (true) {
        String line = link.readLine();
        if (line == null) {
          break;
        }
        if ("stop".equals(FlatJson.decode(line).get("op"))) {
          requestStop();
        }
      }
    } catch (IOException e) {
      // treated as the master's death
    }
    ParentWatchdog.parentDied("lost the connection to the master");
  }

  private void requestStop() {
    boolean notBuilt;
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      Service s = service;
      ChildContext c = ctx; // set before the service
      notBuilt = s == null;
      if (c != null) {
        c.signalStop();
      }
      if (s != null && c != null) {
        startTerminator(c, s);
      }
    }
    if (notBuilt) {
      // Still starting (a slow JVM start, the hello, the constructor): there is no work to finish,
      // so leave now rather than when main() reaches its next check.
      exit(0);
    }
  }

  // Called with lock held.
  private void startTerminator(ChildContext ctx, Service s) {
    ctx.signalStop();
    terminator = new Thread(() -> {
      try {
        s.terminate();
      } catch (Throwable t) {
        System.err.println("[spindle] " + label + ": terminate() failed: " + t);
        t.printStackTrace();
      }
    }, "spindle-terminate");
    terminator.setDaemon(true);
    terminator.start();
  }

  private void jobLimitReached(long jobs) {
    send(FlatJson.encode("op", "retire", "reason", "served " + jobs + " jobs (maxJobsPerChild)"));
    requestStop();
  }

  private void report(ChildContext c, long periodMs) {
    HeapMeter heap = new HeapMeter();
    long lastJobs = -1;
    long lastHeap = -1;
    while (true) {
      long jobs = c.jobsDone();
      long h = heap.heapAfterGc();
      if (jobs != lastJobs || Math.abs(h - lastHeap) >= 64 * 1024) {
        if (!send(FlatJson.encode("op", "report", "jobs", jobs, "heapAfterGc", h))) {
          return;
        }
        lastJobs = jobs;
        lastHeap = h;
      }
      try {
        Thread.sleep(periodMs); // a reporting period, not synchronization
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean send(String message) {
    LineChannel l = link;
    if (l == null) {
      return false; // not connected: nothing can be sent
    }
    try {
      l.writeLine(message);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long number(Map<String, Object> m, String key, long otherwise) {
    return m.get(key) instanceof Number n ? n.longValue() : otherwise;
  }

  private static void awaitUninterruptibly(ChildContext c) {
    while (true) {
      try {
        c.awaitStop();
        return;
      } catch (InterruptedException e) {
        // keep waiting: only a stop request ends a worker
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
    try {
      latch.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String requireEnv(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      fail(EXIT_START_FAILED, ServiceMain.class.getName() + " runs in a worker JVM started by a ServiceManager; "
          + "the environment variable " + name + " is missing", null);
    }
    return v;
  }

  private void fail(int status, String message, @Nullable Throwable cause) {
    System.err.println("[spindle] " + label + ": " + message + (cause == null ? "" : ": " + cause));
    if (cause != null) {
      cause.printStackTrace();
    }
    exit(status);
  }

  private static void exit(int status) {
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }
}
