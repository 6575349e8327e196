package dev.spindle.queue;

import dev.spindle.queue.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A real store behind a proxy that gives each of a worker's {@code completeAndClaim} calls the cost
 * of a real store's (a commit, a round trip) and shows every such call's arguments to a watcher first. The cost is
 * the behaviour under test (how a worker batches around slow calls), not a synchronisation.
 */
final class SlowStore {
  private SlowStore() {}

  static JobStore wrap(JobStore inner, Duration callCost, Consumer<Object[]> watcher) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("completeAndClaim")) {
            watcher.accept(args);
            LockSupport.parkNanos(callCost.toNanos());
          }
          try {
            return method.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
