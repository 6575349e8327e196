package dev.spindle.supervisor.testing;

import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.supervisor.ServiceListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event, for assertions. Thread-safe. */
public final class Recorder implements ServiceListener {
  public record Started(String service, int workerId, long pid, long atNanos) {}

  public record Ready(String service, int workerId, long pid, Duration startup) {}

  public record Exited(String service, int workerId, long pid, ExitStatus status, boolean expected,
      Optional<Duration> restartIn, long atNanos) {}

  public record CrashLoop(String service, int workerId, int failures, Duration nextDelay) {}

  public record Recycling(String service, int workerId, long pid, String reason) {}

  public final List<Started> started = new CopyOnWriteArrayList<>();
  public final List<Ready> ready = new CopyOnWriteArrayList<>();
  public final List<Exited> exited = new CopyOnWriteArrayList<>();
  public final List<CrashLoop> crashLoops = new CopyOnWriteArrayList<>();
  public final List<Recycling> recycling = new CopyOnWriteArrayList<>();
  public final List<List<String>> reloads = new CopyOnWriteArrayList<>();

  @Override
  public void workerStarted(String service, int workerId, long pid) {
    started.add(new Started(service, workerId, pid, System.nanoTime()));
  }

  @Override
  public void workerReady(String service, int workerId, long pid, Duration startup) {
    ready.add(new Ready(service, workerId, pid, startup));
  }

  @Override
  public void workerExited(String service, int workerId, long pid, ExitStatus status, boolean expected,
      Optional<Duration> restartIn) {
    exited.add(new Exited(service, workerId, pid, status, expected, restartIn, System.nanoTime()));
  }

  @Override
  public void crashLoop(String service, int workerId, int failures, Duration nextDelay) {
    crashLoops.add(new CrashLoop(service, workerId, failures, nextDelay));
  }

  @Override
  public void workerRecycling(String service, int workerId, long pid, String reason) {
    recycling.add(new Recycling(service, workerId, pid, reason));
  }

  @Override
  public void reloaded(List<String> changes) {
    reloads.add(changes);
  }

  public boolean isReady(long pid) {
    return ready.stream().anyMatch(r -> r.pid() == pid);
  }
}
