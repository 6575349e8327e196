package dev.spindle.queue;

import dev.spindle.queue.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;

/**
 * A fault proxy of a real store that freezes a worker's claiming: once {@link #close()}d, every
 * claim ({@code claim}, or {@code completeAndClaim} with a claim request) blocks until {@link
 * #open()}; everything else (heartbeats above all) goes through. {@link #blocked} opens when the
 * first claim is held. Thread-safe.
 */
final class ClaimGate {
  /** Opens when a claim is held at the closed gate. */
  final CountDownLatch blocked = new CountDownLatch(1);
  private volatile CountDownLatch gate = new CountDownLatch(0);

  /** Claims from now on block. */
  void close() {
    gate = new CountDownLatch(1);
  }

  /** Lets held and later claims through. */
  void open() {
    gate.countDown();
  }

  JobStore wrap(JobStore inner) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          boolean claims = method.getName().equals("claim")
              || method.getName().equals("completeAndClaim") && args[1] != null;
          CountDownLatch g = gate;
          if (claims && g.getCount() > 0) {
            blocked.countDown();
            g.await();
          }
          try {
            return method.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
