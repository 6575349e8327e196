package dev.spindle.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a {@link ServiceManager}: what {@code spindle ctl status} prints. Immutable.
 *
 * @param name the manager's name (also the control socket's name)
 * @param pid the master's process id
 * @param state the manager's state
 * @param startedAt when it started, or null if it has not
 * @param uptime how long it has been running
 * @param controlSocket the control socket's path, or null if it has none
 * @param services every service, in configuration order
 */
public record ManagerStatus(String name, long pid, ManagerState state, @Nullable Instant startedAt, Duration uptime,
    @Nullable String controlSocket, List<ServiceStatus> services) {
  /** Copies the list. */
  public ManagerStatus {
    services = List.copyOf(services);
  }

  /** The service with this name, if any. */
  public Optional<ServiceStatus> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
