package dev.spindle.supervisor.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's signal handling: SIGHUP reloads, SIGTERM and SIGINT stop. Each handler only starts
 * a thread, so the JVM's signal thread never blocks. The previous handlers are put back by
 * {@link #restore()}. A signal the process inherited as ignored (SIGHUP under {@code nohup}) cannot
 * be handled on the JVM; a warning then points to {@code spindle ctl}. Not thread-safe: install
 * and restore from one thread.
 */
final class MasterSignals {
  private static final Logger LOG = LoggerFactory.getLogger(MasterSignals.class);

  private final Map<String, Object> previous = new LinkedHashMap<>();

  /** Installs the handlers; {@code onStop} receives the signal's name (e.g. {@code SIGTERM}). */
  void install(Runnable onReload, Consumer<String> onStop) {
    handle("HUP", () -> onReload.run());
    handle("TERM", () -> onStop.accept("SIGTERM"));
    handle("INT", () -> onStop.accept("SIGINT"));
  }

  private void handle(String name, Runnable action) {
    try {
      Object old = PosixSignals.handle(name, () -> {
        Thread t = new Thread(action, "spindle-SIG" + name);
        t.setDaemon(true);
        t.start();
      });
      if (old.equals(PosixSignals.IGNORE)) {
        LOG.warn("SIG{} is ignored by this process (started under nohup, or in the background by a script?) and "
            + "cannot be handled by the JVM; use 'spindle ctl {}' instead", name, name.equals("HUP") ? "reload" : "stop");
      } else {
        previous.put(name, old);
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("cannot handle SIG{} ({}); use 'spindle ctl' instead", name, e.getMessage());
    }
  }

  /** Puts back the handlers replaced by {@link #install}. */
  void restore() {
    previous.forEach((name, h) -> {
      try {
        PosixSignals.set(name, h);
      } catch (IllegalArgumentException e) {
        // leave ours
      }
    });
    previous.clear();
  }
}
