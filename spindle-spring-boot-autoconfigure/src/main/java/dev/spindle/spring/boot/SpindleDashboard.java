package dev.spindle.spring.boot;

import dev.spindle.web.Dashboard;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The Spindle dashboard as a part of the application's life cycle: started with the context (its
 * own port), stopped with it. Thread-safe.
 */
public final class SpindleDashboard implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(SpindleDashboard.class);

  private final Dashboard dashboard;
  private volatile boolean running;

  /** @param dashboard the dashboard, built and not yet started */
  public SpindleDashboard(Dashboard dashboard) {
    this.dashboard = Objects.requireNonNull(dashboard, "dashboard");
  }

  @Override
  public synchronized void start() {
    if (!running) {
      dashboard.start();
      running = true;
      LOG.info("Spindle dashboard at {}/ (log in with the configured credentials)", dashboard.url());
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

  /** The dashboard (its URL and port once started). */
  public Dashboard dashboard() {
    return dashboard;
  }
}
