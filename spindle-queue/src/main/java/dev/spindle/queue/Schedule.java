package dev.spindle.queue;

import dev.spindle.PayloadException;
import dev.spindle.Task;
import dev.spindle.spi.JsonCodec;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A recurring job: a task with fixed arguments enqueued on every tick of a cron expression (in a
 * time zone) or of a fixed interval. Stored in the job store, so every worker sees the same
 * schedules and each tick fires exactly once however many workers run (the tick is claimed in the
 * store atomically, and the job's unique key names the tick). Immutable and thread-safe.
 *
 * <pre>{@code
 * queue.addSchedule(Schedule.cron("nightly-report", "30 2 * * MON-FRI", ZoneId.of("Europe/Berlin"))
 *     .task(REPORT, new ReportRequest("daily")).build());
 * queue.addSchedule(Schedule.every("heartbeat", Duration.ofSeconds(30)).task("ops.ping", "{}").build());
 * }</pre>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #misfire()}</td><td>{@link MisfirePolicy#FIRE_ONCE}</td></tr>
 *   <tr><td>{@link #misfireGrace()}</td><td>1 minute, capped at the interval for interval schedules</td></tr>
 *   <tr><td>{@link #anchor()} (intervals)</td><td>the epoch: ticks fall on whole multiples of the interval</td></tr>
 *   <tr><td>{@link #jobOptions()}</td><td>{@link JobOptions#defaults()} (queue, priority and policy are used)</td></tr>
 * </table>
 */
public final class Schedule {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:\\-]{1,200}");
  /** The shortest interval accepted. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(10);

  private final String name;
  private final String task;
  private final String argsJson;
  private final @Nullable CronExpression cron;
  private final @Nullable ZoneId zone;
  private final @Nullable Duration interval;
  private final @Nullable Instant anchor;
  private final MisfirePolicy misfire;
  private final Duration misfireGrace;
  private final JobOptions jobOptions;

  private Schedule(Builder b, String task, String argsJson) {
    this.name = b.name;
    this.task = task;
    this.argsJson = argsJson;
    this.cron = b.cron;
    this.zone = b.zone;
    this.interval = b.interval;
    this.anchor = b.interval != null ? b.anchor : null;
    this.misfire = b.misfire;
    Duration grace = b.misfireGrace != null ? b.misfireGrace : Duration.ofMinutes(1);
    if (b.misfireGrace == null && interval != null && interval.compareTo(grace) < 0) {
      grace = interval;
    }
    this.misfireGrace = grace;
    this.jobOptions = b.jobOptions;
  }

  /**
   * A schedule firing on a cron expression, evaluated in {@code zone}.
   *
   * @throws IllegalArgumentException if the name or expression is invalid
   */
  public static Builder cron(String name, String expression, ZoneId zone) {
    Builder b = new Builder(name);
    b.cron = CronExpression.parse(expression);
    b.zone = Objects.requireNonNull(zone, "zone");
    return b;
  }

  /**
   * A schedule firing every {@code interval}.
   *
   * @throws IllegalArgumentException if the name is invalid, the interval shorter than
   *     {@link #MIN_INTERVAL} or longer than {@link JobOptions#MAX_AHEAD}
   */
  public static Builder every(String name, Duration interval) {
    Builder b = new Builder(name);
    if (Objects.requireNonNull(interval, "interval").compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("interval must be at least " + MIN_INTERVAL + ": " + interval);
    }
    if (interval.compareTo(JobOptions.MAX_AHEAD) > 0) {
      throw new IllegalArgumentException("interval must be at most " + JobOptions.MAX_AHEAD.toDays() + " days: "
          + interval.toDays() + " days");
    }
    b.interval = interval;
    return b;
  }

  /** The unique name. */
  public String name() {
    return name;
  }

  /** The task name. */
  public String task() {
    return task;
  }

  /** The arguments as JSON. */
  public String argsJson() {
    return argsJson;
  }

  /** The cron expression, or {@code null} for an interval schedule. */
  public @Nullable CronExpression cron() {
    return cron;
  }

  /** The cron time zone, or {@code null} for an interval schedule. */
  public @Nullable ZoneId zone() {
    return zone;
  }

  /** The interval, or {@code null} for a cron schedule. */
  public @Nullable Duration interval() {
    return interval;
  }

  /** The instant interval ticks are counted from, or {@code null} for a cron schedule. */
  public @Nullable Instant anchor() {
    return anchor;
  }

  /** What happens to missed ticks. */
  public MisfirePolicy misfire() {
    return misfire;
  }

  /** How late a tick may be seen and still count as on time. */
  public Duration misfireGrace() {
    return misfireGrace;
  }

  /** Options of the enqueued jobs (queue, priority, policy). */
  public JobOptions jobOptions() {
    return jobOptions;
  }

  /** The first tick strictly after {@code after}. */
  public Instant nextTick(Instant after) {
    if (cron != null) {
      return cron.next(after, Objects.requireNonNull(zone, "zone of a cron schedule")).orElseThrow(
          () -> new IllegalStateException("cron expression '" + cron + "' has no tick after " + after));
    }
    long step = Objects.requireNonNull(interval, "interval of an interval schedule").toMillis();
    Instant from = Objects.requireNonNull(anchor, "anchor of an interval schedule");
    long a = from.toEpochMilli();
    long t = after.toEpochMilli();
    if (t < a) {
      return from;
    }
    long k = Math.floorDiv(t - a, step) + 1;
    return Instant.ofEpochMilli(a + k * step);
  }

  /** The unique key of the job fired for {@code tick}: {@code schedule:<name>:<epoch millis>}. */
  public String tickKey(Instant tick) {
    return "schedule:" + name + ":" + tick.toEpochMilli();
  }

  /** A short description: {@code cron '0 * * * *' in UTC} or {@code every PT30S}. */
  public String describeTrigger() {
    return cron != null ? "cron '" + cron + "' in " + zone : "every " + interval;
  }

  /** The definition as stored (JSON). */
  public String toJson() {
    JobPolicy p = jobOptions.policy();
    return JsonCodec.defaults().toJson(new Dto(name, task, argsJson, cron == null ? null : cron.expression(),
        zone == null ? null : zone.getId(), interval == null ? null : interval.toMillis(),
        anchor == null ? null : anchor.toEpochMilli(), misfire.name(), misfireGrace.toMillis(),
        jobOptions.queue(), jobOptions.priority(), p.timeout() == null ? null : p.timeout().toMillis(),
        p.retry().toJson(), p.maxWorkerLost(), p.resultTtl().toMillis(), p.failureTtl().toMillis()),
        "schedule " + name);
  }

  /**
   * Reads a definition written by {@link #toJson()}.
   *
   * @throws PayloadException if malformed
   * @throws IllegalArgumentException if a value is invalid
   */
  public static Schedule fromJson(String json) {
    Dto d = JsonCodec.defaults().fromJson(json, Dto.class, "schedule definition");
    Builder b;
    try {
      String c = d.cron();
      b = c != null ? cron(d.name(), c, ZoneId.of(Objects.requireNonNull(d.zone(), "zone")))
          : every(d.name(), Duration.ofMillis(Objects.requireNonNull(d.intervalMs(), "intervalMs")));
    } catch (DateTimeException | NullPointerException e) {
      throw new IllegalArgumentException("invalid schedule definition " + json + ": " + e.getMessage(), e);
    }
    Long anchorMs = d.anchorMs();
    if (anchorMs != null) {
      b.anchor(Instant.ofEpochMilli(anchorMs));
    }
    Long timeoutMs = d.timeoutMs();
    JobPolicy policy = new JobPolicy(timeoutMs == null ? null : Duration.ofMillis(timeoutMs),
        RetryPolicy.fromJson(d.retry()), d.maxWorkerLost(), Duration.ofMillis(d.resultTtlMs()),
        Duration.ofMillis(d.failureTtlMs()));
    return b.task(d.task(), d.args()).misfire(MisfirePolicy.valueOf(d.misfire()))
        .misfireGrace(Duration.ofMillis(d.graceMs()))
        .options(JobOptions.builder().queue(d.queue()).priority(d.priority()).policy(policy).build()).build();
  }

  record Dto(String name, String task, String args, @Nullable String cron, @Nullable String zone,
      @Nullable Long intervalMs, @Nullable Long anchorMs, String misfire, long graceMs, String queue, int priority,
      @Nullable Long timeoutMs, String retry, int maxWorkerLost, long resultTtlMs, long failureTtlMs) {}

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s && toJson().equals(s.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return "Schedule[" + name + ": " + task + " " + describeTrigger() + ", misfire " + misfire + "]";
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private @Nullable String task;
    private @Nullable String argsJson;
    private @Nullable CronExpression cron;
    private @Nullable ZoneId zone;
    private @Nullable Duration interval;
    private Instant anchor = Instant.EPOCH;
    private MisfirePolicy misfire = MisfirePolicy.FIRE_ONCE;
    private @Nullable Duration misfireGrace;
    private JobOptions jobOptions = JobOptions.defaults();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("invalid schedule name '" + name
            + "': use 1-200 characters of letters, digits and . _ : -");
      }
      this.name = name;
    }

    /**
     * The task to enqueue, by name, with JSON arguments.
     *
     * @throws PayloadException if {@code argsJson} is not valid JSON
     */
    public Builder task(String taskName, String argsJson) {
      this.task = Task.validateName(taskName);
      Objects.requireNonNull(argsJson, "argsJson");
      JsonCodec.defaults().fromJson(argsJson, Object.class, "arguments of schedule " + name);
      this.argsJson = argsJson;
      return this;
    }

    /**
     * The task to enqueue with its input, serialized to JSON now.
     *
     * @throws PayloadException if the input cannot be serialized
     */
    public <I> Builder task(Task<I, ?> task, I input) {
      this.task = task.name();
      this.argsJson = JsonCodec.defaults().toJson(input, "input of schedule " + name);
      return this;
    }

    /** Options of the enqueued jobs; their run time, delay and unique key are ignored. */
    public Builder options(JobOptions options) {
      this.jobOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** What happens to missed ticks. */
    public Builder misfire(MisfirePolicy misfire) {
      this.misfire = Objects.requireNonNull(misfire, "misfire");
      return this;
    }

    /**
     * How late a tick may be seen and still count as on time.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder misfireGrace(Duration grace) {
      if (Objects.requireNonNull(grace, "grace").isNegative()) {
        throw new IllegalArgumentException("misfire grace must not be negative: " + grace);
      }
      this.misfireGrace = grace;
      return this;
    }

    /**
     * For interval schedules: the instant ticks are counted from (ticks are anchor + k × interval).
     *
     * @throws IllegalStateException for a cron schedule
     */
    public Builder anchor(Instant anchor) {
      if (interval == null) {
        throw new IllegalStateException("an anchor applies to interval schedules only");
      }
      this.anchor = Objects.requireNonNull(anchor, "anchor");
      return this;
    }

    /**
     * @throws IllegalStateException if no task was given
     */
    public Schedule build() {
      String t = task;
      String args = argsJson;
      if (t == null || args == null) {
        throw new IllegalStateException("schedule " + name + " needs a task: call task(...)");
      }
      return new Schedule(this, t, args);
    }
  }
}
