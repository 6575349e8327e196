package dev.spindle.spring.boot;

import dev.spindle.web.Dashboard;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The Spindle dashboard as a part of the application's life cycle: started with the context (on its
 * own port, or mounted in the application's servlet server), stopped with it. Thread-safe.
 */
public final class SpindleDashboard implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(SpindleDashboard.class);

  private final Dashboard dashboard;
  private final @Nullable String mountPath;
  private volatile boolean running;

  /**
   * A dashboard on its own port.
   *
   * @param dashboard the dashboard, built and not yet started
   */
  public SpindleDashboard(Dashboard dashboard) {
    this(dashboard, null);
  }

  /**
   * @param dashboard the dashboard, built and not yet started
   * @param mountPath where it is mounted in the application ({@code /spindle}), or {@code null} when
   *     it has its own port
   */
  public SpindleDashboard(Dashboard dashboard, @Nullable String mountPath) {
    this.dashboard = Objects.requireNonNull(dashboard, "dashboard");
    this.mountPath = mountPath;
  }

  @Override
  public synchronized void start() {
    if (!running) {
      dashboard.start();
      running = true;
      if (mountPath != null) {
        LOG.info("Spindle dashboard mounted at {}/ (behind the application's security)", mountPath);
      } else {
        LOG.info("Spindle dashboard at {}/ (log in with the configured credentials)", dashboard.url());
      }
    }
  }

  @Override
  public synchronized void stop() {
    if (running) {
      dashboard.close();
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Where it is mounted in the application ({@code /spindle}); empty when it has its own port. */
  public Optional<String> mountPath() {
    return Optional.ofNullable(mountPath);
  }

  /** The dashboard (its URL and port once started, when not mounted). */
  public Dashboard dashboard() {
    return dashboard;
  }
}
