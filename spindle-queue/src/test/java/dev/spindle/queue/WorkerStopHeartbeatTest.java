package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A stopping worker's last store call is its deregistration: a heartbeat in flight when the worker
 * stops ends first, so it can neither register the worker again after it left (a ghost worker
 * that status lists until its lease expires) nor reach a store the caller closes right after
 * {@code close()}. Real in-memory store; a proxy holds one heartbeat at a gate.
 */
class WorkerStopHeartbeatTest {
  private static final String WORKER = "stop-heartbeat";
  private static final Task<Long, Long> DOUBLE = Task.of("t.double", Long.class, Long.class, x -> 2 * x);

  @Test
  void aHeartbeatInFlightEndsBeforeTheWorkerDeregisters() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    AtomicBoolean holdNextHeartbeat = new AtomicBoolean();
    HeldGate gate = new HeldGate();
    CountDownLatch heldHeartbeatDone = new CountDownLatch(1);
    try (InMemoryJobStore inner = new InMemoryJobStore()) {
      JobStore store = recording(inner, calls, holdNextHeartbeat, gate, heldHeartbeatDone);
      Worker w = Worker.builder(store).name(WORKER).registry(TaskRegistry.builder().add(DOUBLE).build())
          .heartbeatInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofSeconds(30))
          .shutdownGrace(Duration.ofSeconds(5)).start();
      holdNextHeartbeat.set(true);
      assertThat(gate.reached.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing = new CompletableFuture<>();
      Thread closer = Thread.ofPlatform().name("closer").start(() -> {
        w.close();
        closing.complete(null);
      });
      // either the worker stopped without waiting for its heartbeat, or it waits for it (the
      // dispatcher has ended and the closer is joining the last thread, the housekeeper)
      await().atMost(Duration.ofSeconds(30)).until(() -> closing.isDone() || waitsForHousekeeper(closer));
      gate.goOn.countDown();
      closing.get(30, TimeUnit.SECONDS);
      assertThat(heldHeartbeatDone.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(calls).last().isEqualTo("deregisterWorker");
      assertThat(inner.workers()).extracting(r -> r.id()).doesNotContain(w.id());
    }
  }

  private static boolean waitsForHousekeeper(Thread closer) {
    boolean joining = Arrays.stream(closer.getStackTrace())
        .anyMatch(f -> f.getClassName().equals(Thread.class.getName()) && f.getMethodName().equals("join"));
    boolean dispatcherAlive = Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("spindle-worker-" + WORKER + "-dispatch"));
    return joining && !dispatcherAlive;
  }

  private static JobStore recording(JobStore inner, List<String> calls, AtomicBoolean holdNextHeartbeat,
      HeldGate gate, CountDownLatch heldHeartbeatDone) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          String name = method.getName();
          boolean held = name.equals("heartbeat") && holdNextHeartbeat.compareAndSet(true, false);
          if (held) {
            gate.pass();
          }
          try {
            Object result = method.invoke(inner, args);
            if (name.equals("heartbeat") || name.equals("deregisterWorker")) {
              calls.add(name);
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            if (held) {
              heldHeartbeatDone.countDown();
            }
          }
        });
  }
}
