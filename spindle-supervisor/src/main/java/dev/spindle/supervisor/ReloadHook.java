package dev.spindle.supervisor;

/**
 * Runs when a {@link ServiceManager} reloads (SIGHUP, {@code spindle ctl reload}, or
 * {@link ServiceManager#reload()}), after the configuration file (if any) was re-read and applied:
 * Cotyledon's {@code register_hooks(on_reload=...)}. Typically rescales services:
 * <pre>{@code
 * .onReload(m -> { System.out.println("Reloading"); m.scale("printer", 5); })
 * }</pre>
 * Runs on the thread that asked for the reload; an exception fails that reload (reported to the
 * caller and logged) and leaves the manager running.
 */
@FunctionalInterface
public interface ReloadHook {
  /** Reconfigures {@code manager}. */
  void onReload(ServiceManager manager) throws Exception;
}
