package dev.spindle.cli.queue;

import dev.spindle.cli.DurationArgs;
import dev.spindle.queue.health.AlertConfig;
import dev.spindle.queue.health.StallRules;
import dev.spindle.queue.health.Webhook;
import dev.spindle.queue.health.WebhookAlerter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The stall-detection and alert options of {@code dashboard}, {@code worker} and {@code incidents
 * check} (docs/ALERTS.md). Webhook URLs hold secrets, so they come from a file or the environment
 * ({@link AlertConfig}), never from the command line. Not thread-safe (picocli fills it once).
 */
final class AlertOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.@Nullable CommandSpec mixee;

  @Option(names = "--detect-stalls", description = "run a stall detector: stalled queues and workers, dead jobs and "
      + "the thresholds below become incidents in the store (alerted through --alerts)")
  boolean detect;

  @Option(names = "--claim-stall", paramLabel = "DURATION",
      description = "a ready job no worker with a free slot claimed for this long stalls its queue (default 2m)")
  @Nullable String claimStall;

  @Option(names = "--progress-stall", paramLabel = "DURATION",
      description = "a worker holding jobs that finishes none for this long is stalled (default 15m)")
  @Nullable String progressStall;

  @Option(names = "--queue-latency", paramLabel = "DURATION",
      description = "an incident when a queue's oldest ready job has waited this long (default: off)")
  @Nullable String queueLatency;

  @Option(names = "--failure-rate", paramLabel = "FRACTION",
      description = "an incident when this fraction of the last 5 minutes' attempts failed (default: off)")
  @Nullable Double failureRate;

  @Option(names = "--alerts", paramLabel = "FILE", description = "webhooks to alert: webhook.NAME.url = https://... "
      + "and webhook.NAME.format = json|slack; SPINDLE_WEBHOOK_NAME_URL variables are read too")
  @Nullable Path alerts;

  /** The rules the options give, on the defaults. */
  StallRules rules() {
    CommandLine cl = mixee != null ? mixee.commandLine() : new CommandLine(this);
    StallRules r = StallRules.defaults();
    try {
      if (claimStall != null) {
        r = r.withClaimStall(DurationArgs.parse(cl, claimStall));
      }
      if (progressStall != null) {
        r = r.withProgressStall(DurationArgs.parse(cl, progressStall));
      }
      if (queueLatency != null) {
        r = r.withQueueLatency(DurationArgs.parse(cl, queueLatency));
      }
      if (failureRate != null) {
        r = r.withFailureRate(failureRate, r.minAttempts());
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    return r;
  }

  /**
   * The webhooks of {@code --alerts} and of the environment, or none.
   *
   * @throws CommandLine.ParameterException if the file cannot be read or holds a bad entry
   */
  List<Webhook> webhooks() {
    CommandLine cl = mixee != null ? mixee.commandLine() : new CommandLine(this);
    List<Webhook> hooks = new ArrayList<>(AlertConfig.fromEnvironment(System.getenv()));
    if (alerts != null) {
      try {
        hooks.addAll(AlertConfig.load(alerts));
      } catch (IOException e) {
        throw new CommandLine.ParameterException(cl, "--alerts " + alerts + " cannot be read: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, "--alerts " + alerts + ": " + e.getMessage());
      }
    }
    return hooks;
  }

  /** An alerter posting to {@link #webhooks()}, or null if there are none; the caller closes it. */
  @Nullable WebhookAlerter alerter(String source) {
    List<Webhook> hooks = webhooks();
    return hooks.isEmpty() ? null : WebhookAlerter.builder().webhooks(hooks).source(source).build();
  }
}
