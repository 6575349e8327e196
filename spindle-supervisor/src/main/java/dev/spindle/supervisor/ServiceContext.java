package dev.spindle.supervisor;

import dev.spindle.TypeRef;
import dev.spindle.spi.JsonCodec;
import java.lang.reflect.Type;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Service} instance knows about itself inside its worker JVM: its service name,
 * worker id and pid, the arguments it was given, the stop signal, and the job counter that drives
 * recycling. The worker runtime implements it; services receive it in their constructor.
 *
 * <p>Implementations are thread-safe: {@link #stopRequested()} and {@link #jobDone()} may be
 * called from any thread of the service.
 */
public interface ServiceContext {
  /** The service's name, e.g. {@code printer}. */
  String serviceName();

  /** The worker id: 0 to workers-1, stable across restarts of the same position. */
  int workerId();

  /** This process's id. */
  default long pid() {
    return ProcessHandle.current().pid();
  }

  /** The arguments as JSON ({@link ServiceConfig#argsJson()}), or null if none were given. */
  @Nullable String argsJson();

  /**
   * The arguments decoded as {@code type}.
   *
   * @throws dev.spindle.PayloadException if they do not fit the type
   * @throws IllegalStateException if the service was given no arguments
   */
  default <T> T args(Class<T> type) {
    return decodeArgs(type);
  }

  /** {@link #args(Class)} for a generic type. */
  default <T> T args(TypeRef<T> type) {
    return decodeArgs(type.type());
  }

  private <T> T decodeArgs(Type type) {
    String json = argsJson();
    if (json == null) {
      throw new IllegalStateException("service '" + serviceName() + "' was given no args");
    }
    return JsonCodec.defaults().fromJson(json, type, "args of service '" + serviceName() + "'");
  }

  /** True once the service was asked to stop: finish the current piece of work and return from {@code run}. */
  boolean stopRequested();

  /**
   * Waits until stop is requested or the timeout elapses; a loop's pause ({@code while
   * (!ctx.awaitStop(Duration.ofSeconds(1))) doStuff();}).
   *
   * @return true if stop was requested
   */
  boolean awaitStop(Duration timeout) throws InterruptedException;

  /** Waits until stop is requested. */
  void awaitStop() throws InterruptedException;

  /**
   * How long the service has, from the stop request, before the master kills the process
   * ({@link ServiceConfig#stopTimeout()}); in-flight work should finish or be handed back within it.
   */
  Duration stopTimeout();

  /**
   * Counts one finished job. After {@link ServiceConfig#maxJobsPerChild()} jobs the worker stops
   * taking work (the stop signal is set) and the master replaces it with a fresh process.
   */
  void jobDone();

  /** Jobs counted by {@link #jobDone()} in this process. */
  long jobsDone();
}
