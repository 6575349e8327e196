package dev.spindle.queue;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A flow-control limit, enforced by the store inside the claim itself: a job over the limit is
 * never fetched. Immutable and validated when built; thread-safe.
 *
 * <p>A limit has a {@linkplain #name() name}, a {@linkplain Scope scope} that gives each job a
 * <em>key</em> (one per queue, per task, or per value of one argument such as a tenant or host), and
 * any of three rules, each counted per key:
 * <ul>
 *   <li>{@linkplain #concurrency() concurrency}: at most N jobs of the key RUNNING at once. A permit
 *       is the running job itself, so it is freed when the job ends or its lease expires and the
 *       job is reclaimed (fenced like every completion);
 *   <li>{@linkplain #ratePermits() rate} with {@linkplain #burst() burst}: at most {@code permits}
 *       starts per {@code period} on average, at most {@code burst} at once (GCRA, a token bucket
 *       without a refill timer);
 *   <li>{@linkplain #windowMax() sliding window}: at most N starts in any window of the given
 *       length.
 * </ul>
 * A limit without rules only makes its keys <em>fair</em>: ready jobs of one queue are served
 * round-robin across keys, so a key with 100,000 waiting jobs does not starve one with 10. With
 * {@linkplain #weights() weights} a key of weight w takes w claims per turn of the round (keys not
 * listed weigh 1), so keys of weights 3 and 1 with backlogs are served 3:1.
 *
 * <p>Declare it with {@link JobOptions.Builder#flow(FlowLimit)}: the first job that names it stores
 * it; later changes (at run time) go through {@link dev.spindle.queue.spi.FlowAdmin#putLimit}.
 * The text form ({@link #toSpec()}, {@link #parse(String)}) is what stores keep and the CLI takes,
 * e.g. {@code api per=arg:tenant concurrency=5 rate=200/1s burst=10 window=1000/60s weights=acme:3,beta:2}.
 */
public final class FlowLimit {
  /** What a limit's key is taken from. */
  public enum Scope {
    /** One key per queue (every job of the queue shares the limit). */
    QUEUE,
    /** One key per task name. */
    TASK,
    /** One key per value of an argument (a top-level field of the job's JSON object). */
    ARGUMENT
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** The longest key value kept (longer argument values are refused). */
  public static final int MAX_KEY_LENGTH = 200;
  /** The largest weight of a key. */
  public static final int MAX_WEIGHT = 100;
  private static final Pattern WEIGHT_VALUE = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private final String name;
  private final Scope scope;
  private final @Nullable String argument;
  private final int concurrency;
  private final int ratePermits;
  private final @Nullable Duration ratePeriod;
  private final int burst;
  private final int windowMax;
  private final @Nullable Duration window;
  private final Map<String, Integer> weights;

  private FlowLimit(Builder b) {
    this.name = b.name;
    this.scope = b.scope;
    this.argument = b.argument;
    this.concurrency = b.concurrency;
    this.ratePermits = b.ratePermits;
    this.ratePeriod = b.ratePeriod;
    this.burst = b.ratePermits == 0 ? 0 : b.burst == 0 ? 1 : b.burst;
    this.windowMax = b.windowMax;
    this.window = b.window;
    this.weights = Collections.unmodifiableMap(new TreeMap<>(b.weights));
  }

  /** A builder for a limit named {@code name} (letters, digits, {@code . _ -}, at most 64). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The name jobs refer to it by. */
  public String name() {
    return name;
  }

  /** What the key is taken from. */
  public Scope scope() {
    return scope;
  }

  /** The argument that gives the key, for {@link Scope#ARGUMENT}; else {@code null}. */
  public @Nullable String argument() {
    return argument;
  }

  /** The most RUNNING jobs per key, or 0 for no such rule. */
  public int concurrency() {
    return concurrency;
  }

  /** Starts allowed per {@link #ratePeriod()} on average, or 0 for no rate rule. */
  public int ratePermits() {
    return ratePermits;
  }

  /** The rate's period, or {@code null} without a rate rule. */
  public @Nullable Duration ratePeriod() {
    return ratePeriod;
  }

  /** The most starts at once after an idle spell (at least 1 with a rate rule; 0 without). */
  public int burst() {
    return burst;
  }

  /** The most starts in any {@link #window()}, or 0 for no window rule. */
  public int windowMax() {
    return windowMax;
  }

  /** The sliding window's length, or {@code null} without a window rule. */
  public @Nullable Duration window() {
    return window;
  }

  /**
   * The weights of key values (a value as {@link #keyFor} takes it, e.g. a tenant), 1..{@value
   * #MAX_WEIGHT}; a value not listed weighs 1. Empty for plain round-robin. Sorted by value.
   */
  public Map<String, Integer> weights() {
    return weights;
  }

  /** The weight of {@code key} (a key made by {@link #keyFor}): its value's weight, or 1. */
  public int weightOf(String key) {
    if (weights.isEmpty()) {
      return 1;
    }
    int i = key.indexOf(':');
    return weights.getOrDefault(i < 0 ? key : key.substring(i + 1), 1);
  }

  /** The GCRA emission interval in microseconds: {@code ratePeriod / ratePermits}; 0 without a rate rule. */
  public long intervalMicros() {
    return ratePermits == 0 || ratePeriod == null ? 0 : Math.max(1, micros(ratePeriod) / ratePermits);
  }

  /** The window's length in microseconds; 0 without a window rule. */
  public long windowMicros() {
    return window == null ? 0 : micros(window);
  }

  private static long micros(Duration d) {
    return d.getSeconds() * 1_000_000L + d.getNano() / 1000;
  }

  /**
   * The key of a job under this limit, as stores keep it: {@code name + ":" + value}.
   *
   * @throws IllegalArgumentException if it cannot be computed: the arguments are not a JSON object,
   *     the argument is missing, null, not a string, number or boolean, or too long
   */
  public String keyFor(String queue, String task, String argsJson) {
    String value = switch (scope) {
      case QUEUE -> queue;
      case TASK -> task;
      case ARGUMENT -> argumentValue(argsJson);
    };
    return name + ":" + value;
  }

  private String argumentValue(String argsJson) {
    JsonNode node;
    try {
      node = JSON.readTree(argsJson);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("flow limit '" + name + "' keys jobs by argument '" + argument
          + "', and the job's arguments are not JSON", e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("flow limit '" + name + "' keys jobs by argument '" + argument
          + "', and the job's arguments are not a JSON object");
    }
    JsonNode v = node.get(Objects.requireNonNull(argument, "argument of an ARGUMENT scope"));
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("flow limit '" + name + "' keys jobs by argument '" + argument
          + "', which the job's arguments lack");
    }
    if (!v.isValueNode()) {
      throw new IllegalArgumentException("flow limit '" + name + "' keys jobs by argument '" + argument
          + "', which is not a string, number or boolean in the job's arguments");
    }
    String s = v.asString();
    if (s.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("flow limit '" + name + "': the value of argument '" + argument
          + "' is longer than " + MAX_KEY_LENGTH + " characters");
    }
    return s;
  }

  /** The limit's name in a key made by {@link #keyFor}. */
  public static String limitOf(String key) {
    int i = key.indexOf(':');
    return i < 0 ? key : key.substring(0, i);
  }

  /** The text form, which {@link #parse} reads back. */
  public String toSpec() {
    StringBuilder sb = new StringBuilder(name).append(" per=");
    sb.append(scope == Scope.ARGUMENT ? "arg:" + argument : scope.name().toLowerCase(Locale.ROOT));
    if (concurrency > 0) {
      sb.append(" concurrency=").append(concurrency);
    }
    if (ratePermits > 0 && ratePeriod != null) {
      sb.append(" rate=").append(ratePermits).append('/').append(text(ratePeriod)).append(" burst=").append(burst);
    }
    if (windowMax > 0 && window != null) {
      sb.append(" window=").append(windowMax).append('/').append(text(window));
    }
    if (!weights.isEmpty()) {
      sb.append(" weights=");
      String sep = "";
      for (Map.Entry<String, Integer> e : weights.entrySet()) {
        sb.append(sep).append(e.getKey()).append(':').append(e.getValue());
        sep = ",";
      }
    }
    return sb.toString();
  }

  private static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /**
   * Reads the text form: a name, then {@code per=queue|task|arg:NAME} (default queue) and any of
   * {@code concurrency=N}, {@code rate=N/PERIOD}, {@code burst=N}, {@code window=N/PERIOD}, where a
   * period is a number with {@code ms}, {@code s}, {@code m} or {@code h}, and {@code
   * weights=VALUE:N,VALUE:N}.
   *
   * @throws IllegalArgumentException if it is malformed or invalid
   */
  public static FlowLimit parse(String spec) {
    String[] parts = spec.trim().split("\\s+");
    Builder b = builder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i];
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("flow limit '" + parts[0] + "': expected key=value, got '" + p + "'");
      }
      String k = p.substring(0, eq);
      String v = p.substring(eq + 1);
      switch (k) {
        case "per" -> {
          if (v.startsWith("arg:")) {
            b.perArgument(v.substring(4));
          } else if (v.equals("task")) {
            b.perTask();
          } else if (v.equals("queue")) {
            b.perQueue();
          } else {
            throw new IllegalArgumentException("flow limit '" + parts[0] + "': per must be queue, task or arg:NAME,"
                + " not '" + v + "'");
          }
        }
        case "concurrency" -> b.concurrency(number(parts[0], k, v));
        case "weights" -> {
          for (String w : v.split(",", -1)) {
            int colon = w.lastIndexOf(':');
            if (colon <= 0) {
              throw new IllegalArgumentException("flow limit '" + parts[0] + "': weights must be VALUE:N,...,"
                  + " not '" + v + "'");
            }
            b.weight(w.substring(0, colon), number(parts[0], "weight", w.substring(colon + 1)));
          }
        }
        case "burst" -> b.burst(number(parts[0], k, v));
        case "rate", "window" -> {
          int slash = v.indexOf('/');
          if (slash <= 0) {
            throw new IllegalArgumentException("flow limit '" + parts[0] + "': " + k + " must be N/PERIOD, e.g. 200/1s");
          }
          int n = number(parts[0], k, v.substring(0, slash));
          Duration d = period(parts[0], v.substring(slash + 1));
          if (k.equals("rate")) {
            b.rate(n, d);
          } else {
            b.window(n, d);
          }
        }
        default -> throw new IllegalArgumentException("flow limit '" + parts[0] + "': unknown setting '" + k + "'");
      }
    }
    return b.build();
  }

  private static int number(String limit, String k, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("flow limit '" + limit + "': " + k + " must be a whole number, not '" + v
          + "'", e);
    }
  }

  private static Duration period(String limit, String v) {
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new NumberFormatException(v);
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("flow limit '" + limit + "': '" + v + "' is not a period such as 500ms,"
          + " 1s, 5m or 1h", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FlowLimit f && f.toSpec().equals(toSpec());
  }

  @Override
  public int hashCode() {
    return toSpec().hashCode();
  }

  @Override
  public String toString() {
    return toSpec();
  }

  /** Builds a {@link FlowLimit}; not thread-safe. Every setter validates at once. */
  public static final class Builder {
    private final String name;
    private Scope scope = Scope.QUEUE;
    private @Nullable String argument;
    private int concurrency;
    private int ratePermits;
    private @Nullable Duration ratePeriod;
    private int burst;
    private int windowMax;
    private @Nullable Duration window;
    private final Map<String, Integer> weights = new TreeMap<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("a flow limit's name is 1 to 64 letters, digits, '.', '_' or '-',"
            + " starting with a letter or digit: '" + name + "'");
      }
      this.name = name;
    }

    /** One key per queue (the default). */
    public Builder perQueue() {
      scope = Scope.QUEUE;
      argument = null;
      return this;
    }

    /** One key per task. */
    public Builder perTask() {
      scope = Scope.TASK;
      argument = null;
      return this;
    }

    /**
     * One key per value of a top-level argument of the job (e.g. {@code tenant}); a job without it
     * is dead-lettered with reason {@link dev.spindle.queue.spi.FlowControl#BAD_FLOW_KEY}.
     *
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder perArgument(String argumentName) {
      Objects.requireNonNull(argumentName, "argumentName");
      if (argumentName.isBlank() || argumentName.length() > 64) {
        throw new IllegalArgumentException("flow limit '" + name + "': the argument that gives the key must be"
            + " a name of 1 to 64 characters, not '" + argumentName + "'");
      }
      scope = Scope.ARGUMENT;
      argument = argumentName;
      return this;
    }

    /**
     * At most {@code permits} RUNNING jobs per key.
     *
     * @throws IllegalArgumentException if not in 1..1,000,000
     */
    public Builder concurrency(int permits) {
      this.concurrency = positive("concurrency", permits);
      return this;
    }

    /**
     * At most {@code permits} starts per {@code period} on average.
     *
     * @throws IllegalArgumentException if permits is not in 1..1,000,000 or the period is not in 1 ms..1 day
     */
    public Builder rate(int permits, Duration period) {
      this.ratePermits = positive("rate", permits);
      this.ratePeriod = period("rate", period);
      return this;
    }

    /**
     * The most starts at once after an idle spell (default 1); needs {@link #rate}.
     *
     * @throws IllegalArgumentException if not in 1..1,000,000
     */
    public Builder burst(int burst) {
      this.burst = positive("burst", burst);
      return this;
    }

    /**
     * At most {@code max} starts in any window of length {@code window}.
     *
     * @throws IllegalArgumentException if max is not in 1..1,000,000 or the window is not in 1 ms..1 day
     */
    public Builder window(int max, Duration window) {
      this.windowMax = positive("window", max);
      this.window = period("window", window);
      return this;
    }

    /**
     * Gives the key of {@code value} (e.g. a tenant) {@code weight} claims per turn of the fair
     * round instead of 1.
     *
     * @throws IllegalArgumentException if the value is not 1-64 letters, digits, {@code . _ @ -}, or
     *     the weight is not in 1..{@value FlowLimit#MAX_WEIGHT}
     */
    public Builder weight(String value, int weight) {
      Objects.requireNonNull(value, "value");
      if (!WEIGHT_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("flow limit '" + name + "': a weighted value is 1 to 64 letters, digits,"
            + " '.', '_', '@' or '-', not '" + value + "'");
      }
      if (weight < 1 || weight > MAX_WEIGHT) {
        throw new IllegalArgumentException("flow limit '" + name + "': the weight of '" + value + "' must be in 1.."
            + MAX_WEIGHT + ", not " + weight);
      }
      weights.put(value, weight);
      return this;
    }

    private int positive(String what, int n) {
      if (n < 1 || n > 1_000_000) {
        throw new IllegalArgumentException("flow limit '" + name + "': " + what + " must be in 1..1,000,000, not "
            + n);
      }
      return n;
    }

    private Duration period(String what, Duration d) {
      Objects.requireNonNull(d, what + " period");
      if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("flow limit '" + name + "': the " + what + " period must be in 1 ms..1 day,"
            + " not " + d);
      }
      return d;
    }

    /**
     * The limit.
     *
     * @throws IllegalArgumentException if a burst is set without a rate
     */
    public FlowLimit build() {
      if (burst > 0 && ratePermits == 0) {
        throw new IllegalArgumentException("flow limit '" + name + "': a burst needs a rate");
      }
      return new FlowLimit(this);
    }
  }
}
