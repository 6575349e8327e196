package dev.spindle.store.redis.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ScheduleRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the rows the Lua scripts return: a job row is its id followed by the job hash fields in
 * the order of {@link #FIELDS} (the scripts' {@code FIELDS}); a schedule row is
 * {@code name, definition, next, last, version, created}. Stateless.
 */
public final class Rows {
  /** The job hash fields, in row order (must match lib.lua). */
  public static final String[] FIELDS = {"t", "q", "s", "p", "a", "r", "e", "d", "u", "n", "f", "l", "fe", "w", "c",
      "ct", "ra", "st", "fi", "ex", "fs", "po", "df"};

  private Rows() {}

  /** A job from a row ({@code id} first); {@code policies} resolves policy ids. */
  public static JobInfo job(List<?> row, Function<String, JobPolicy> policies) {
    return job((String) row.get(0), row, 1, policies);
  }

  /** A job from the field values of {@link #FIELDS} starting at {@code o}. */
  public static JobInfo job(String id, List<?> v, int o, Function<String, JobPolicy> policies) {
    return new JobInfo(id, s(v, o), s(v, o + 1), JobState.valueOf(s(v, o + 2)), Integer.parseInt(s(v, o + 3)),
        s(v, o + 4), s(v, o + 5), s(v, o + 6), s(v, o + 7), s(v, o + 8), i(v, o + 9), i(v, o + 10), i(v, o + 11),
        l(v, o + 12), s(v, o + 13), v.get(o + 14) != null, Times.instant(s(v, o + 15)), Times.instant(s(v, o + 16)),
        Times.instant(s(v, o + 17)), Times.instant(s(v, o + 18)), Times.instant(s(v, o + 19)), l(v, o + 20),
        policies.apply(s(v, o + 21)));
  }

  /** Jobs from a list of rows. */
  public static List<JobInfo> jobs(Object rows, Function<String, JobPolicy> policies) {
    List<?> l = (List<?>) rows;
    List<JobInfo> out = new ArrayList<>(l.size());
    for (Object r : l) {
      out.add(job((List<?>) r, policies));
    }
    return out;
  }

  /** A schedule from a row. */
  public static ScheduleRecord schedule(List<?> r) {
    return new ScheduleRecord(s(r, 0), s(r, 1), Times.instant(s(r, 2)), Times.instant(s(r, 3)),
        Long.parseLong(s(r, 4)), Times.instant(s(r, 5)));
  }

  private static String s(List<?> v, int i) {
    return (String) v.get(i);
  }

  private static int i(List<?> v, int i) {
    Object o = v.get(i);
    return o == null ? 0 : Integer.parseInt((String) o);
  }

  private static long l(List<?> v, int i) {
    Object o = v.get(i);
    return o == null ? 0 : Long.parseLong((String) o);
  }
}
