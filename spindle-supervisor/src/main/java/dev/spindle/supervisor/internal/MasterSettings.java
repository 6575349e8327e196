package dev.spindle.supervisor.internal;

import dev.spindle.supervisor.ReloadHook;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceListener;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The validated settings of a master, as the {@code ServiceManager} builder produced them. Immutable.
 *
 * @param name the manager's name (socket name, logs)
 * @param programName the prefix of child titles ({@code spindle: printer worker(0)})
 * @param services the services (empty when they come from {@code configFile})
 * @param configFile the file read at start and on each reload, or null
 * @param reloadHook the reload hook, or null
 * @param listeners listeners
 * @param runDirectory where the control socket goes
 * @param handleSignals whether to handle SIGTERM, SIGINT and SIGHUP
 * @param clock the clock for reported times (start times, termination)
 * @param ticker the monotonic time source, in nanoseconds, for uptimes and delays (crash-loop
 *     detection)
 * @param javaHome the children's JDK
 * @param classpath the children's class path
 * @param memoryCheckInterval how often children's RSS is compared with their limit
 * @param reportInterval how often children report jobs and heap
 * @param childStdout where the children's standard output goes
 * @param childStderr where the children's standard error goes
 */
public record MasterSettings(String name, String programName, List<ServiceConfig> services, @Nullable Path configFile,
    @Nullable ReloadHook reloadHook, List<ServiceListener> listeners, Path runDirectory, boolean handleSignals, Clock clock,
    LongSupplier ticker,
    Path javaHome, String classpath, Duration memoryCheckInterval, Duration reportInterval,
    ProcessBuilder.Redirect childStdout, ProcessBuilder.Redirect childStderr) {
  /** Copies the lists. */
  public MasterSettings {
    services = List.copyOf(services);
    listeners = List.copyOf(listeners);
  }
}
