package dev.spindle.supervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * A long-running service run by a {@link ServiceManager} in N worker JVMs (Cotyledon's
 * {@code Service}): subclass it, implement {@link #run()} as the main loop, and override
 * {@link #terminate()} if {@code run} blocks somewhere the stop signal cannot reach.
 *
 * <pre>{@code
 * public final class PrinterService extends Service {
 *   public PrinterService(ServiceContext ctx) { super(ctx); }
 *
 *   public void run() throws InterruptedException {
 *     while (!awaitStop(Duration.ofSeconds(1))) {
 *       System.out.println("Doing stuff");
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p><b>Life cycle in the worker JVM.</b> The runtime builds the service with its public
 * {@code (ServiceContext)} constructor (or a public no-argument one; the context is then found
 * through the running worker), calls {@link #run()} on the main thread, and on a stop request
 * (SIGTERM from the master: scale-down, recycling, shutdown) sets the stop signal and calls
 * {@link #terminate()} from another thread. When {@code run} has returned and stop was requested
 * the process exits with status 0. As in Cotyledon, {@code run} may return early (for instance
 * after starting its own threads): the process then stays up until it is asked to stop. If
 * {@code run} or the constructor throws, the process exits with status 1 and the master restarts
 * it (with back-off if that keeps happening). SIGINT and SIGHUP are ignored by workers: the master
 * handles them for the whole group.
 *
 * <p>Thread-safety: {@code run} and {@code terminate} run on different threads; the stop-signal
 * methods are thread-safe.
 */
public abstract class Service {
  private static final ThreadLocal<ServiceContext> CONSTRUCTING = new ThreadLocal<>();

  private final ServiceContext context;

  /** For subclasses whose constructor takes the context. */
  protected Service(ServiceContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  /**
   * For subclasses with a no-argument constructor: the context is the one of the worker being built.
   *
   * @throws IllegalStateException if no worker runtime is building this service
   */
  protected Service() {
    ServiceContext c = CONSTRUCTING.get();
    if (c == null) {
      throw new IllegalStateException(getClass().getName() + " was created outside a worker runtime; "
          + "use the constructor taking a ServiceContext");
    }
    this.context = c;
  }

  /**
   * Builds a service the way the worker runtime does. For runtimes and tests.
   *
   * @throws IllegalArgumentException if the class is unfit (see {@link ServiceConfig#builder(String, Class)})
   * @throws ReflectiveOperationException if the constructor throws (the cause is wrapped)
   */
  public static Service instantiate(Class<? extends Service> type, ServiceContext context)
      throws ReflectiveOperationException {
    ServiceConfig.checkServiceClass(type);
    var ctor = ServiceConfig.constructor(type);
    if (ctor == null) { // checkServiceClass refuses such a class first
      throw new NoSuchMethodException(type.getName() + " has neither a public (ServiceContext) nor a () constructor");
    }
    if (ctor.getParameterCount() == 1) {
      return ctor.newInstance(context);
    }
    CONSTRUCTING.set(context);
    try {
      return ctor.newInstance();
    } finally {
      CONSTRUCTING.remove();
    }
  }

  /** The service's name, e.g. {@code printer}. */
  public final String name() {
    return context.serviceName();
  }

  /** The worker id, 0 to workers-1. */
  public final int workerId() {
    return context.workerId();
  }

  /** This process's id. */
  public final long pid() {
    return context.pid();
  }

  /** The context. */
  public final ServiceContext context() {
    return context;
  }

  /**
   * The main loop. Return once {@link #stopRequested()} is true (finish the current job first); see
   * the class description for what happens when it returns early or throws.
   */
  public abstract void run() throws Exception;

  /**
   * Called from another thread when the service must stop, after the stop signal was set. The
   * default does nothing; override it to unblock {@link #run()} (close a socket, interrupt a
   * thread, shut down a worker). Must return promptly.
   */
  public void terminate() {}

  /** True once the service was asked to stop. */
  protected final boolean stopRequested() {
    return context.stopRequested();
  }

  /**
   * Waits until stop is requested or {@code timeout} elapses.
   *
   * @return true if stop was requested
   */
  protected final boolean awaitStop(Duration timeout) throws InterruptedException {
    return context.awaitStop(timeout);
  }

  /** Counts one finished job (see {@link ServiceContext#jobDone()}). */
  protected final void jobDone() {
    context.jobDone();
  }

  @Override
  public String toString() {
    return name() + " worker(" + workerId() + ") pid " + pid();
  }
}
