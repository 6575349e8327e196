package dev.spindle.store.redis.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ScheduleRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the job strings the Lua scripts keep (see lua/lib/keys.lua and codec.lua). A job row is
 * {@code {id, header+args, status, error}} (the error may be left out):
 * <ul>
 *   <li>header: {@code task|queue|priority|created|policy id|unique key}, then {@code |trace context}
 *       if the job has one (printable ASCII, stored as is: the last field), a newline, then the
 *       arguments JSON (in the key, {@code %}, {@code |} and newlines are escaped as %25, %7C, %0A).
 *       A job still in the status a plain enqueue gave it has no status key: that status follows
 *       the arguments after a NUL (JSON holds no raw NUL), and is stale once the job has moved;
 *   <li>status: {@code state|attempt|fence|started|worker id|failures|lost|cancel|runAt|finished|
 *       expires|finishSeq|doneFence|priority|queue|policy id|dead reason|result JSON} (worker id
 *       and dead reason escaped like the key; the result last, as is);
 * </ul>
 * A schedule row is {@code {name, definition, next, last, version, created}}. Stateless and
 * thread-safe.
 */
public final class Rows {
  private Rows() {}

  /** The stored header and arguments of a new job. */
  public static String header(NewJob n, String policyId) {
    StringBuilder sb = new StringBuilder(64 + n.argsJson().length());
    sb.append(n.task()).append('|').append(n.queue()).append('|').append(n.priority()).append('|')
        .append(Times.encode(n.createdAt())).append('|').append(policyId).append('|');
    if (n.uniqueKey() != null) {
      escape(sb, n.uniqueKey());
    }
    if (n.traceContext() != null) {
      sb.append('|').append(n.traceContext());
    }
    return sb.append('\n').append(n.argsJson()).toString();
  }

  private static void escape(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '%' -> sb.append("%25");
        case '|' -> sb.append("%7C");
        case '\n' -> sb.append("%0A");
        default -> sb.append(c);
      }
    }
  }

  private static String unescape(String v) {
    if (v.indexOf('%') < 0) {
      return v;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(v.length());
    int i = 0;
    while (i < v.length()) {
      int c = v.codePointAt(i);
      if (c == '%' && i + 2 < v.length()) {
        out.write(Integer.parseInt(v, i + 1, i + 3, 16));
        i += 3;
      } else {
        out.writeBytes(Character.toString(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        i += Character.charCount(c);
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A job from a row; {@code policies} resolves policy ids. */
  public static JobInfo job(List<?> row, Function<String, JobPolicy> policies) {
    String id = (String) row.get(0);
    String header = (String) row.get(1);
    String status = (String) row.get(2);
    String error = row.size() > 3 ? (String) row.get(3) : null;
    return job(id, header, status, error, policies);
  }

  /** A job from its stored strings. */
  public static JobInfo job(String id, String header, String status, @Nullable String error,
      Function<String, JobPolicy> policies) {
    if (header == null || status == null) {
      throw new StoreException(StoreException.Reason.CORRUPT, "job " + id + " is incomplete in Redis (header "
          + (header == null ? "missing" : "present") + ", status " + (status == null ? "missing" : "present") + ")");
    }
    try {
      int nl = header.indexOf('\n');
      String[] h = split(header.substring(0, nl), 6);
      int tail = header.indexOf('\0', nl + 1);
      String args = header.substring(nl + 1, tail < 0 ? header.length() : tail);
      String trace = null;
      int bar = h[5].indexOf('|');
      if (bar >= 0) {
        trace = h[5].substring(bar + 1);
        h[5] = h[5].substring(0, bar);
      }
      String[] s = split(status, 18);
      String result = s[17].isEmpty() ? null : s[17];
      return new JobInfo(id, h[0], s[14], JobState.valueOf(s[0]), Integer.parseInt(s[13]), args, result, error,
          s[16].isEmpty() ? null : unescape(s[16]), h[5].isEmpty() ? null : unescape(h[5]), i(s[1]), i(s[5]),
          i(s[6]), l(s[2]), s[4].isEmpty() ? null : unescape(s[4]), !s[7].isEmpty() && !s[7].equals("0"),
          Times.instant(h[3]), Times.instant(s[8]), t(s[3]), t(s[9]), t(s[10]), l(s[11]), policies.apply(s[15]), trace);
    } catch (RuntimeException e) {
      if (e instanceof StoreException) {
        throw e;
      }
      throw new StoreException(StoreException.Reason.CORRUPT, "job " + id + " cannot be read from Redis (status '"
          + status + "'): " + e, e);
    }
  }

  /** Splits on '|' into exactly {@code n} parts, the last taking the rest. */
  private static String[] split(String v, int n) {
    String[] out = new String[n];
    int from = 0;
    for (int k = 0; k < n - 1; k++) {
      int bar = v.indexOf('|', from);
      if (bar < 0) {
        throw new IllegalArgumentException("expected " + n + " fields");
      }
      out[k] = v.substring(from, bar);
      from = bar + 1;
    }
    out[n - 1] = v.substring(from);
    return out;
  }

  private static int i(String v) {
    return v.isEmpty() ? 0 : Integer.parseInt(v);
  }

  private static long l(String v) {
    return v.isEmpty() ? 0 : Long.parseLong(v);
  }

  private static java.time.@Nullable Instant t(String v) {
    return v.isEmpty() ? null : Times.instant(v);
  }

  /** Jobs from a list of rows. */
  public static List<JobInfo> jobs(Object rows, Function<String, JobPolicy> policies) {
    List<?> list = (List<?>) rows;
    List<JobInfo> out = new ArrayList<>(list.size());
    for (Object r : list) {
      out.add(job((List<?>) r, policies));
    }
    return out;
  }

  /** A schedule from a row. */
  public static ScheduleRecord schedule(List<?> r) {
    return new ScheduleRecord((String) r.get(0), (String) r.get(1), Times.instant((String) r.get(2)),
        Times.instantOrNull((String) r.get(3)), Long.parseLong((String) r.get(4)), Times.instant((String) r.get(5)));
  }
}
