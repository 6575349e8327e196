package dev.spindle.supervisor;

import dev.spindle.supervisor.internal.JsonLines;
import dev.spindle.supervisor.internal.LineChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Talks to a running master over its control socket: what {@code spindle ctl} uses. Each call
 * opens a connection, sends one request and waits for the answer (at most the timeout, default
 * 30 s). Immutable and thread-safe.
 *
 * <pre>{@code
 * ControlClient ctl = ControlClient.find(RunDirectory.defaultPath(), "spindle");
 * ctl.scale("printer", 5);
 * ctl.status().service("printer").orElseThrow().workerStatuses().forEach(System.out::println);
 * }</pre>
 *
 * <p>Every method throws {@link ControlException} when no master answers or the master refuses
 * the request; the message says why.
 */
public final class ControlClient {
  private final Path socket;
  private final Duration timeout;

  private ControlClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /** A client of the master listening on {@code socket}. */
  public static ControlClient of(Path socket) {
    return new ControlClient(Objects.requireNonNull(socket, "socket"), Duration.ofSeconds(30));
  }

  /**
   * A client of the master {@code name} in {@code runDirectory}; with a null name, of the only
   * master there.
   *
   * @throws ControlException if no master (or, without a name, several) run there
   */
  public static ControlClient find(Path runDirectory, @Nullable String name) {
    if (name != null) {
      Path p = RunDirectory.socketPath(runDirectory, name);
      if (!Files.exists(p)) {
        throw new ControlException("no master named '" + name + "' is running (no socket " + p + ")");
      }
      if (!listening(p)) {
        throw new ControlException("no master named '" + name + "' is running (its socket " + p + " is left over"
            + " from a master that died; nothing listens on it)");
      }
      return of(p);
    }
    List<Path> found = new ArrayList<>();
    int stale = 0;
    try {
      for (Path p : RunDirectory.sockets(runDirectory)) {
        if (listening(p)) {
          found.add(p);
        } else {
          stale++; // left by a master killed without cleaning up (kill -9): not a master
        }
      }
    } catch (IOException e) {
      throw new ControlException("cannot list " + runDirectory + ": " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new ControlException("no master is running (no control socket in " + runDirectory
          + (stale > 0 ? " that a master listens on; " + stale + " left over from masters that died)" : ")"));
    }
    if (found.size() > 1) {
      List<String> names = new ArrayList<>();
      found.forEach(p -> names.add(p.getFileName().toString().replace(RunDirectory.SUFFIX, "")));
      throw new ControlException("several masters are running (" + String.join(", ", names) + "); choose one with --name");
    }
    return of(found.get(0));
  }

  /**
   * True if a process listens on the control socket {@code p}: a master killed with {@code kill -9}
   * leaves its socket file behind, and connecting to it is refused.
   */
  static boolean listening(Path p) {
    try (LineChannel probe = LineChannel.connect(p)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The same client with another timeout. */
  public ControlClient withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new ControlClient(socket, timeout);
  }

  /** The socket. */
  public Path socket() {
    return socket;
  }

  /** The master's status. */
  public ManagerStatus status() {
    JsonNode r = call(request("status"));
    try {
      return JsonLines.MAPPER.treeToValue(r.get("status"), ManagerStatus.class);
    } catch (JacksonException e) {
      throw new ControlException("the master's status could not be read: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Sets a service's worker count.
   *
   * @return the previous count
   */
  public int scale(String service, int workers) {
    ObjectNode req = request("scale");
    req.put("service", Objects.requireNonNull(service, "service"));
    req.put("workers", workers);
    return call(req).path("from").asInt();
  }

  /**
   * Reloads the master's configuration.
   *
   * @return one line per change
   */
  public List<String> reload() {
    List<String> out = new ArrayList<>();
    call(request("reload")).path("changes").forEach(n -> out.add(n.asString()));
    return out;
  }

  /**
   * Asks the master to stop: gracefully, or with {@code now} by killing every child. Returns once
   * the master accepted (not once it terminated).
   */
  public void stop(boolean now) {
    ObjectNode req = request("stop");
    req.put("now", now);
    call(req);
  }

  /** The master's pid, proving it is alive and answering. */
  public long ping() {
    return call(request("ping")).path("pid").asLong();
  }

  private static ObjectNode request(String op) {
    ObjectNode n = JsonLines.object();
    n.put("op", op);
    return n;
  }

  private JsonNode call(ObjectNode request) {
    LineChannel ch;
    try {
      ch = LineChannel.connect(socket);
    } catch (IOException e) {
      throw new ControlException("no master answers on " + socket + " (" + e.getMessage() + ")", e);
    }
    CompletableFuture<JsonNode> f = CompletableFuture.supplyAsync(() -> {
      try {
        JsonLines.write(ch, request);
        return JsonLines.read(ch);
      } catch (IOException e) {
        throw new ControlException("the connection to " + socket + " failed: " + e.getMessage(), e);
      }
    }, r -> Thread.ofVirtual().name("spindle-ctl").start(r));
    try {
      JsonNode reply = f.get(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS);
      if (reply == null) {
        throw new ControlException("the master on " + socket + " closed the connection without answering");
      }
      if (!reply.path("ok").asBoolean(false)) {
        throw new ControlException(reply.path("error").asString("the master refused the request"));
      }
      return reply;
    } catch (TimeoutException e) {
      throw new ControlException("the master on " + socket + " did not answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof ControlException ce ? ce : new ControlException(String.valueOf(c), c == null ? e : c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlException("interrupted while waiting for the master", e);
    } finally {
      ch.close();
    }
  }
}
