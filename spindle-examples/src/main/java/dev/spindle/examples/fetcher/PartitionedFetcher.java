package dev.spindle.examples.fetcher;

import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.FencedRegister;
import dev.spindle.coordination.Lease;
import dev.spindle.coordination.Partitioner;
import dev.spindle.examples.internal.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker of the partitioned fetcher. It joins {@code group}, and in a loop reads the frontier
 * (a file of URLs, one a line, that may grow), and for every URL that the group's ring gives to
 * this worker and that nobody has fetched yet: takes the lock {@code fetch:<url>}, checks the
 * register {@code fetched:<url>} again, fetches the page (header {@code X-Fetcher: <id>}) and
 * records {@code <id> <status>} in the register under the lock's token.
 *
 * <p>When a worker dies, its URLs move to the others once its membership expires; a fetch it was
 * doing when it died is done again after its lock expires (at most once more, never at the same
 * time). Not thread-safe: one thread runs {@link #runUntil}.
 */
public final class PartitionedFetcher implements AutoCloseable {
  private static final Duration IDLE = Duration.ofMillis(50);

  private final Coordinator coordinator;
  private final String id;
  private final Path frontier;
  private final Partitioner partitioner;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Set<String> done = new HashSet<>();
  private volatile boolean stop;

  /** Joins {@code group} as {@code id} on {@code coordinator}, reading URLs from {@code frontier}. */
  public PartitionedFetcher(Coordinator coordinator, String group, String id, Path frontier) {
    this.coordinator = coordinator;
    this.id = id;
    this.frontier = frontier;
    this.partitioner = coordinator.partitioner(group, id, (before, after) ->
        System.out.println(id + ": ring now " + after.members().keySet()));
    coordinator.join(group, id, "{}");
  }

  /** Fetches owned URLs until {@link #close()} or the thread is interrupted. */
  public void runUntil() {
    while (!stop && !Thread.currentThread().isInterrupted()) {
      if (!pass()) {
        LockSupport.parkNanos(IDLE.toNanos());
      }
    }
  }

  /** One pass over the frontier; true if it fetched something. */
  boolean pass() {
    boolean fetched = false;
    for (String url : frontier()) {
      if (done.contains(url) || !partitioner.owns(url)) {
        continue;
      }
      FencedRegister record = coordinator.register("fetched:" + url);
      if (record.read().isPresent()) {
        done.add(url);
        continue;
      }
      Optional<Lease> lock = coordinator.lock("fetch:" + url, Duration.ofSeconds(2)).tryAcquire();
      if (lock.isEmpty()) {
        continue;
      }
      try (Lease lease = lock.get()) {
        if (record.read().isEmpty()) {
          int status = fetch(url);
          if (record.write(lease, id + " " + status)) {
            System.out.println(id + ": fetched " + url + " " + status);
            fetched = true;
          }
        }
        done.add(url);
      }
    }
    return fetched;
  }

  private int fetch(String url) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("X-Fetcher", id)
          .timeout(Duration.ofSeconds(10)).build();
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private List<String> frontier() {
    try {
      return Files.exists(frontier) ? Files.readAllLines(frontier).stream().filter(s -> !s.isBlank()).toList()
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the loop (the coordinator, owned by the caller, leaves the group when closed). */
  @Override
  public void close() {
    stop = true;
    partitioner.close();
  }

  /**
   * A worker in its own JVM: {@code <sqlite-file> <group> <id> <frontier-file> <heartbeat-ms>};
   * prints {@code joined}, then a line per page fetched; exits when its parent dies.
   */
  public static void main(String[] args) {
    ChildJvm.exitWhenParentDies();
    try (Coordinator c = Coordinator.builder().sqlite(Path.of(args[0]))
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[4]))).build()) {
      PartitionedFetcher f = new PartitionedFetcher(c, args[1], args[2], Path.of(args[3]));
      System.out.println("joined " + args[2]);
      f.runUntil();
    }
  }
}
