package dev.spindle.supervisor.internal;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.supervisor.ServiceConfig;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The master's control socket handler: serves {@code spindle ctl} requests (status, scale, reload,
 * stop, ping) and its children's messages (hello with their token, ready, report, retire).
 * Called by the control server's threads; every state change goes through the {@link Master}.
 */
final class ControlHandler implements ControlServer.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);

  private final Master master;

  ControlHandler(Master master) {
    this.master = master;
  }
  @Override
  public @Nullable JsonNode onMessage(ControlServer.Connection conn, JsonNode msg) {
    String op = msg.path("op").asString("");
    return switch (op) {
      case "hello" -> hello(conn, msg);
      case "ready", "report", "retire" -> {
        childMessage(conn, op, msg);
        yield null;
      }
      case "status" -> {
        ObjectNode n = ControlServer.ok();
        n.set("status", JsonLines.MAPPER.valueToTree(master.status()));
        yield n;
      }
      case "scale" -> {
        String service = msg.path("service").asString("");
        JsonNode w = msg.get("workers");
        if (w == null || !w.isIntegralNumber() || !w.canConvertToInt()) {
          throw new IllegalArgumentException("scale needs an integer \"workers\"");
        }
        int from = master.scale(service, w.asInt());
        ObjectNode n = ControlServer.ok();
        n.put("service", service);
        n.put("from", from);
        n.put("to", w.asInt());
        yield n;
      }
      case "reload" -> {
        List<String> list = master.reload();
        ObjectNode n = ControlServer.ok();
        ArrayNode a = n.putArray("changes");
        list.forEach(a::add);
        yield n;
      }
      case "stop" -> {
        boolean now = msg.path("now").asBoolean(false);
        if (now) {
          master.stopNow("spindle ctl stop --now");
        } else {
          master.stop("spindle ctl stop");
        }
        ObjectNode n = ControlServer.ok();
        n.put("state", master.state().name());
        yield n;
      }
      case "ping" -> {
        ObjectNode n = ControlServer.ok();
        n.put("name", master.settings().name());
        n.put("pid", ProcessHandle.current().pid());
        yield n;
      }
      default -> throw new IllegalArgumentException("unknown op '" + op
          + "' (known: status, scale, reload, stop, ping)");
    };
  }

  private JsonNode hello(ControlServer.Connection conn, JsonNode msg) {
    String token = msg.path("token").asString("");
    WorkerRecord r = master.positions().tokens().get(token);
    if (r == null) {
      throw new IllegalArgumentException("unknown or expired worker token");
    }
    synchronized (r) {
      if (!token.equals(r.token) || r.ended) {
        throw new IllegalArgumentException("expired worker token");
      }
      r.link = conn;
    }
    conn.attach(r);
    ServiceConfig c = r.group.config;
    ObjectNode n = ControlServer.ok();
    n.put("service", c.name());
    n.put("workerId", r.workerId);
    if (c.argsJson() == null) {
      n.putNull("args");
    } else {
      n.put("args", c.argsJson());
    }
    n.put("maxJobs", c.maxJobsPerChild());
    n.put("stopTimeoutMs", c.stopTimeout().toMillis());
    n.put("reportMs", master.settings().reportInterval().toMillis());
    return n;
  }

  private void childMessage(ControlServer.Connection conn, String op, JsonNode msg) {
    if (!(conn.attachment() instanceof WorkerRecord r)) {
      throw new IllegalArgumentException("'" + op + "' is for workers, after their hello");
    }
    switch (op) {
      case "ready" -> {
        ChildProcess c;
        synchronized (r) {
          r.ready = true;
          c = r.child;
        }
        if (c != null) {
          Duration startup = Duration.ofNanos(master.ticker().getAsLong() - c.startedNanos());
          LOG.debug("'{}' (pid {}) is ready after {}", r.title, c.pid(), Sizes.formatDuration(startup));
          master.emit(l -> l.workerReady(r.group.name(), r.workerId, c.pid(), startup));
        }
      }
      case "report" -> {
        long heap = msg.path("heapAfterGc").asLong(-1);
        synchronized (r) {
          r.jobs = msg.path("jobs").asLong(0);
          r.heapAfterGc = heap;
        }
        long limit = r.group.config.maxHeapUsedBytes();
        if (limit > 0 && heap > limit) {
          master.positions().recycle(r, "heap in use after GC " + Sizes.formatBytes(heap)
              + " is over the limit of " + Sizes.formatBytes(limit));
        }
      }
      case "retire" -> master.positions().recycle(r, msg.path("reason").asString("the worker asked to be replaced"));
      default -> throw new IllegalStateException(op);
    }
  }

  @Override
  public void onClose(ControlServer.Connection conn) {
    if (conn.attachment() instanceof WorkerRecord r) {
      synchronized (r) {
        if (r.link == conn) {
          r.link = null;
        }
      }
    }
  }
}
