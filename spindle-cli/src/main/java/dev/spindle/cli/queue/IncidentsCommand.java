package dev.spindle.cli.queue;

import dev.spindle.cli.ExitCode;
import dev.spindle.queue.health.IncidentListener;
import dev.spindle.queue.health.StallDetector;
import dev.spindle.queue.health.WebhookAlerter;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.StoreBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ./spindle incidents list|show|check}: the incidents stall detectors keep in the store. */
@Command(name = "incidents", mixinStandardHelpOptions = true,
    description = {"Lists the incidents stall detectors raised in the store (stalled queues and workers, queue latency, "
        + "failure rate, dead jobs), and checks the store once, for cron (docs/ALERTS.md).",
        "Examples:",
        "  ./spindle incidents list --open",
        "  ./spindle incidents check --claim-stall 5m --alerts /etc/spindle/alerts.properties"},
    subcommands = {IncidentsCommand.ListIncidents.class, IncidentsCommand.Show.class, IncidentsCommand.Check.class})
public final class IncidentsCommand implements Runnable {
  /** Exit code of {@code check} while an incident is open. */
  static final int OPEN = 10;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code incidents list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists incidents, newest first.")
  static final class ListIncidents implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    JsonOption output = new JsonOption();

    @Option(names = "--open", description = "only the open ones")
    boolean openOnly;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "at most N (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      try (StoreBackend s = store.open()) {
        List<Incident> all = incidentLog(s).incidents(openOnly, limit);
        if (output.json) {
          ObjectNode doc = CliJson.object();
          ArrayNode list = doc.putArray("incidents");
          all.forEach(i -> list.add(json(i)));
          CliJson.print(System.out, doc);
          return 0;
        }
        if (all.isEmpty()) {
          System.out.println(openOnly ? "(no open incidents)" : "(no incidents)");
        }
        for (Incident i : all) {
          System.out.println("#" + i.id() + "  " + (i.isOpen() ? "OPEN    " : "resolved") + "  " + describe(i)
              + "  since " + QueueSupport.time(i.since()));
        }
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("spindle incidents list: " + e.getMessage());
        return ExitCode.USAGE.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("incidents list", e);
      }
    }
  }

  /** {@code incidents show ID}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one incident.")
  static final class Show implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    JsonOption output = new JsonOption();

    @Parameters(paramLabel = "ID", description = "the incident's number")
    long id;

    @Override
    public Integer call() {
      try (StoreBackend s = store.open()) {
        Optional<Incident> found = incidentLog(s).incident(id);
        if (found.isEmpty()) {
          System.err.println("spindle incidents show: no incident #" + id + " is kept");
          return ExitCode.NOT_FOUND.code();
        }
        Incident i = found.get();
        if (output.json) {
          CliJson.print(System.out, json(i));
          return 0;
        }
        System.out.println("incident   #" + i.id() + " " + (i.isOpen() ? "OPEN" : "resolved"));
        System.out.println("kind       " + i.kind());
        System.out.println("queue      " + i.queue());
        if (!i.subject().isEmpty()) {
          System.out.println("subject    " + i.subject());
        }
        System.out.println("since      " + QueueSupport.time(i.since()));
        System.out.println("opened     " + QueueSupport.time(i.openedAt()));
        System.out.println("resolved   " + (i.resolvedAt() == null ? "-" : QueueSupport.time(i.resolvedAt())));
        System.out.println("details    " + i.details());
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("incidents show", e);
      }
    }
  }

  /** {@code incidents check}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Evaluates the stall rules once against the store, as a detector in a worker or the dashboard "
          + "does: raises and resolves incidents, alerts the webhooks of --alerts of the ones this check changed, "
          + "and exits " + OPEN + " while an incident is open (0 when none is). A single check sees no stalled "
          + "worker: that takes a detector that watches for --progress-stall."})
  static final class Check implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    AlertOptions alerting = new AlertOptions();

    @Option(names = "--source", paramLabel = "NAME", defaultValue = "spindle",
        description = "the name alerts give their sender (default: ${DEFAULT-VALUE})")
    String source;

    @Override
    public Integer call() throws InterruptedException {
      var rules = alerting.rules();
      WebhookAlerter alerter = alerting.alerter(source);
      try (StoreBackend s = store.open()) {
        IncidentLog log = incidentLog(s);
        IncidentListener listener = alerter != null ? alerter : IncidentListener.NONE;
        for (StallDetector.Change c : StallDetector.of(s, rules, listener).evaluate(s.storeTime())) {
          System.out.println((c.opened() ? "opened   #" : "resolved #") + c.incident().id() + "  "
              + describe(c.incident()));
        }
        if (alerter != null && !alerter.awaitSent(Duration.ofSeconds(60))) {
          System.err.println("spindle incidents check: some alerts were still being sent after 60 s");
        }
        if (alerter != null && alerter.failed() + alerter.dropped() > 0) {
          System.err.println("spindle incidents check: " + (alerter.failed() + alerter.dropped())
              + " alert(s) could not be delivered (the log says which webhook)");
        }
        List<Incident> open = log.incidents(true, IncidentLog.KEPT);
        System.out.println(open.isEmpty() ? "no open incidents" : open.size() + " open incident(s)");
        return open.isEmpty() ? 0 : OPEN;
      } catch (IllegalStateException e) {
        System.err.println("spindle incidents check: " + e.getMessage());
        return ExitCode.ERROR.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("incidents check", e);
      } finally {
        if (alerter != null) {
          alerter.close();
        }
      }
    }
  }

  private static String describe(Incident i) {
    return i.kind() + " on " + (Incident.ALL_QUEUES.equals(i.queue()) ? "all queues" : "queue " + i.queue())
        + (i.subject().isEmpty() ? "" : " (" + i.subject() + ")") + ": " + QueueSupport.cut(i.details(), 120);
  }

  private static ObjectNode json(Incident i) {
    ObjectNode o = CliJson.object();
    o.put("id", i.id());
    o.put("kind", i.kind().name());
    o.put("queue", i.queue());
    o.put("subject", i.subject());
    o.put("open", i.isOpen());
    o.put("since", CliJson.time(i.since()));
    o.put("openedAt", CliJson.time(i.openedAt()));
    o.put("resolvedAt", CliJson.time(i.resolvedAt()));
    o.put("details", i.details());
    return o;
  }

  /**
   * The store's incidents.
   *
   * @throws IllegalStateException if the store keeps none
   */
  private static IncidentLog incidentLog(StoreBackend s) {
    return s.incidents().orElseThrow(() -> new IllegalStateException("this store keeps no incidents"));
  }
}
