package dev.spindle.queue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A standard five-field cron expression: {@code minute hour day-of-month month day-of-week}.
 * Immutable and thread-safe.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>values</th><th>names</th></tr>
 *   <tr><td>minute</td><td>0-59</td><td></td></tr>
 *   <tr><td>hour</td><td>0-23</td><td></td></tr>
 *   <tr><td>day of month</td><td>1-31</td><td></td></tr>
 *   <tr><td>month</td><td>1-12</td><td>JAN-DEC</td></tr>
 *   <tr><td>day of week</td><td>0-7 (0 and 7 are Sunday)</td><td>SUN-SAT</td></tr>
 * </table>
 *
 * <p>Each field is {@code *}, a value, a range {@code a-b}, a step {@code *}/n, {@code a-b/n} or
 * {@code a/n} (from a to the field's maximum), or a comma-separated list of those; names are
 * case-insensitive; {@code ?} is accepted for {@code *} in the day fields. The macros
 * {@code @yearly} ({@code @annually}), {@code @monthly}, {@code @weekly}, {@code @daily}
 * ({@code @midnight}) and {@code @hourly} are accepted.
 *
 * <p>As in Vixie cron, when both day fields are restricted (neither starts with {@code *}), a day
 * matches if <em>either</em> matches; otherwise both must.
 *
 * <p>Time zones and daylight saving: times are matched on the zone's local clock. A local time that
 * does not exist (skipped by a spring-forward gap) fires at the end of the gap, once; a local time
 * that occurs twice (fall-back overlap) fires once, at its first occurrence.
 */
public final class CronExpression {
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  /** How far ahead {@link #next} searches: a full cycle of leap years and weekdays. */
  private static final int SEARCH_YEARS = 28;

  private final String expression;
  private final long minutes;
  private final long hours;
  private final long daysOfMonth;
  private final long months;
  private final long daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private CronExpression(String expression, long minutes, long hours, long daysOfMonth, long months,
      long daysOfWeek, boolean domRestricted, boolean dowRestricted) {
    this.expression = expression;
    this.minutes = minutes;
    this.hours = hours;
    this.daysOfMonth = daysOfMonth;
    this.months = months;
    this.daysOfWeek = daysOfWeek;
    this.domRestricted = domRestricted;
    this.dowRestricted = dowRestricted;
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException naming the field and what is wrong with it, or if the
   *     expression can never fire (such as {@code 0 0 30 2 *})
   */
  public static CronExpression parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    String text = expression.trim();
    if (text.startsWith("@")) {
      String expanded = MACROS.get(text.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        throw new IllegalArgumentException("unknown cron macro '" + text + "' (known: "
            + String.join(", ", new java.util.TreeSet<>(MACROS.keySet())) + ")");
      }
      text = expanded;
    }
    String[] f = text.split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("cron expression '" + expression + "' has " + f.length
          + " fields; expected 5: minute hour day-of-month month day-of-week");
    }
    long min = parseField(f[0], "minute", 0, 59, null, false);
    long hour = parseField(f[1], "hour", 0, 23, null, false);
    long dom = parseField(f[2], "day-of-month", 1, 31, null, true);
    long mon = parseField(f[3], "month", 1, 12, MONTHS, false);
    long dow = parseField(f[4], "day-of-week", 0, 7, DAYS, true);
    if ((dow & (1L << 7)) != 0) {
      dow = (dow | 1L) & ~(1L << 7);
    }
    boolean domR = !(f[2].startsWith("*") || f[2].startsWith("?"));
    boolean dowR = !(f[4].startsWith("*") || f[4].startsWith("?"));
    CronExpression c = new CronExpression(expression.trim(), min, hour, dom, mon, dow, domR, dowR);
    if (c.next(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC).isEmpty()) {
      throw new IllegalArgumentException("cron expression '" + expression + "' never fires (no such date)");
    }
    return c;
  }

  private static long parseField(String field, String name, int min, int max, @Nullable List<String> names,
      boolean questionOk) {
    if (field.isEmpty()) {
      throw new IllegalArgumentException("empty " + name + " field");
    }
    long bits = 0;
    for (String item : field.split(",", -1)) {
      if (item.isEmpty()) {
        throw new IllegalArgumentException("empty list item in " + name + " field '" + field + "'");
      }
      String range = item;
      int step = 1;
      int slash = item.indexOf('/');
      if (slash >= 0) {
        range = item.substring(0, slash);
        step = parseNumber(item.substring(slash + 1), name, item);
        if (step < 1 || step > max) {
          throw new IllegalArgumentException("step " + step + " out of range 1-" + max + " in " + name
              + " field item '" + item + "'");
        }
      }
      int lo;
      int hi;
      if (range.equals("*") || (questionOk && range.equals("?"))) {
        if (range.equals("?") && slash >= 0) {
          throw new IllegalArgumentException("'?' takes no step in " + name + " field");
        }
        lo = min;
        hi = max == 7 && name.equals("day-of-week") ? 6 : max;
      } else {
        int dash = range.indexOf('-');
        if (dash > 0) {
          lo = parseValue(range.substring(0, dash), name, min, max, names, item);
          hi = parseValue(range.substring(dash + 1), name, min, max, names, item);
          if (lo > hi) {
            throw new IllegalArgumentException("range " + range + " in " + name + " field runs backwards; write it as"
                + " two ranges, e.g. '" + range.substring(0, dash) + "-" + max + "," + min + "-"
                + range.substring(dash + 1) + "'");
          }
        } else {
          lo = parseValue(range, name, min, max, names, item);
          hi = slash >= 0 ? max : lo;
        }
      }
      for (int v = lo; v <= hi; v += step) {
        bits |= 1L << v;
      }
    }
    return bits;
  }

  private static int parseValue(String s, String name, int min, int max, @Nullable List<String> names,
      String item) {
    if (names != null && !s.isEmpty() && Character.isLetter(s.charAt(0))) {
      int i = names.indexOf(s.toUpperCase(Locale.ROOT));
      if (i < 0) {
        throw new IllegalArgumentException("unknown name '" + s + "' in " + name + " field (use " + names + ")");
      }
      return name.equals("month") ? i + 1 : i;
    }
    int v = parseNumber(s, name, item);
    if (v < min || v > max) {
      throw new IllegalArgumentException("value " + v + " out of range " + min + "-" + max + " in " + name
          + " field item '" + item + "'");
    }
    return v;
  }

  private static int parseNumber(String s, String name, String item) {
    if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + s + "' is not a number in " + name + " field item '" + item + "'");
    }
    return Integer.parseInt(s);
  }

  /** The expression as given (trimmed). */
  public String expression() {
    return expression;
  }

  /**
   * The first fire time strictly after {@code after}, on the clock of {@code zone}; empty if there
   * is none within the search horizon (cannot happen for parsed expressions).
   */
  public Optional<Instant> next(Instant after, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    LocalDateTime t = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    LocalDateTime limit = t.plusYears(SEARCH_YEARS);
    while (t.isBefore(limit)) {
      if ((months & (1L << t.getMonthValue())) == 0) {
        t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
        continue;
      }
      if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      if ((hours & (1L << t.getHour())) == 0) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      int m = nextBit(minutes, t.getMinute());
      if (m < 0) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      t = t.withMinute(m);
      Instant candidate = resolve(t, zone, rules);
      if (candidate.isAfter(after)) {
        return Optional.of(candidate);
      }
      t = t.plusMinutes(1);
    }
    return Optional.empty();
  }

  private static Instant resolve(LocalDateTime t, ZoneId zone, ZoneRules rules) {
    if (rules.getValidOffsets(t).isEmpty()) {
      ZoneOffsetTransition gap = rules.getTransition(t);
      return gap.getInstant();
    }
    return ZonedDateTime.ofLocal(t, zone, null).toInstant();
  }

  private boolean dayMatches(LocalDate d) {
    boolean dom = (daysOfMonth & (1L << d.getDayOfMonth())) != 0;
    DayOfWeek w = d.getDayOfWeek();
    boolean dow = (daysOfWeek & (1L << (w.getValue() % 7))) != 0;
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  private static int nextBit(long bits, int from) {
    long masked = bits & (-1L << from);
    return masked == 0 ? -1 : Long.numberOfTrailingZeros(masked);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronExpression c && minutes == c.minutes && hours == c.hours
        && daysOfMonth == c.daysOfMonth && months == c.months && daysOfWeek == c.daysOfWeek
        && domRestricted == c.domRestricted && dowRestricted == c.dowRestricted;
  }

  @Override
  public int hashCode() {
    return Objects.hash(minutes, hours, daysOfMonth, months, daysOfWeek, domRestricted, dowRestricted);
  }

  @Override
  public String toString() {
    return expression;
  }
}
