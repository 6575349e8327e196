package dev.spindle.spring.internal;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.spring.SpindleSchedule;
import dev.spindle.spring.SpindleTask;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.convert.DurationStyle;

/**
 * Reads the attributes of {@link SpindleTask} and {@link SpindleSchedule}: resolves placeholders,
 * parses durations and checks every value at start-up, so that a mistake names the method and the
 * attribute. Stateless.
 */
final class TaskAttributes {
  private TaskAttributes() {}

  /**
   * The task's options as a function of the queue's defaults.
   *
   * @throws IllegalArgumentException naming {@code where} and the attribute if a value is refused
   */
  static UnaryOperator<JobOptions> options(SpindleTask a, String where, ConfigurableBeanFactory beans) {
    String queue = text(beans, a.queue());
    Duration timeout = duration(beans, a.timeout(), where, "timeout");
    Duration initial = duration(beans, a.backoffInitial(), where, "backoffInitial");
    Duration max = duration(beans, a.backoffMax(), where, "backoffMax");
    int maxAttempts = a.maxAttempts();
    double multiplier = a.backoffMultiplier();
    double jitter = a.backoffJitter();
    Class<? extends Throwable>[] retryOn = a.retryOn();
    Class<? extends Throwable>[] giveUpOn = a.giveUpOn();
    UnaryOperator<JobOptions> f = base -> {
      JobOptions.Builder b = base.toBuilder();
      if (queue != null) {
        attribute(where, "queue", () -> b.queue(queue));
      }
      if (timeout != null) {
        attribute(where, "timeout", () -> b.timeout(timeout));
      }
      RetryPolicy.Builder r = base.policy().retry().toBuilder();
      if (maxAttempts != 0) {
        attribute(where, "maxAttempts", () -> r.maxAttempts(maxAttempts));
      }
      if (initial != null) {
        attribute(where, "backoffInitial", () -> r.initialDelay(initial));
      }
      if (max != null) {
        attribute(where, "backoffMax", () -> r.maxDelay(max));
      }
      if (multiplier >= 0) {
        attribute(where, "backoffMultiplier", () -> r.multiplier(multiplier));
      }
      if (jitter >= 0) {
        attribute(where, "backoffJitter", () -> r.jitter(jitter));
      }
      r.retryOn(retryOn).giveUpOn(giveUpOn);
      attribute(where, "backoff", () -> b.retry(r.build()));
      return b.build();
    };
    var unused = f.apply(JobOptions.defaults()); // checks every value now
    return f;
  }

  /**
   * The schedule, checked (its task and options are added when it is stored).
   *
   * @throws IllegalArgumentException naming {@code where} and the attribute if a value is refused
   */
  static TaskDeclaration.ScheduleDeclaration schedule(SpindleSchedule s, String task, String where,
      ConfigurableBeanFactory beans) {
    String cron = text(beans, s.cron());
    Duration every = duration(beans, s.every(), where, "every");
    if ((cron == null) == (every == null)) {
      throw new IllegalArgumentException(where + ": set exactly one of cron and every");
    }
    String name = text(beans, s.name());
    String zoneText = text(beans, s.zone());
    ZoneId zone;
    try {
      zone = ZoneId.of(zoneText == null ? "UTC" : zoneText);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": zone: " + e.getMessage(), e);
    }
    String args = text(beans, s.args());
    var d = new TaskDeclaration.ScheduleDeclaration(name == null ? task : name, cron, zone, every,
        args == null ? "null" : args, s.misfire(), where);
    d.toSchedule(task, JobOptions.defaults()); // checks the name, the cron expression, the interval, the JSON
    return d;
  }

  private static @Nullable String text(ConfigurableBeanFactory beans, String value) {
    String v = value.isEmpty() ? value : beans.resolveEmbeddedValue(value);
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static @Nullable Duration duration(ConfigurableBeanFactory beans, String value, String where,
      String attribute) {
    String v = text(beans, value);
    if (v == null) {
      return null;
    }
    try {
      return DurationStyle.detectAndParse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + attribute + " '" + dev.spindle.spi.Echo.of(v)
          + "' is not a duration (ISO-8601 such as PT30S, or 30s, 5m, 500ms)", e);
    }
  }

  private static void attribute(String where, String attribute, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + attribute + ": " + e.getMessage(), e);
    }
  }
}
