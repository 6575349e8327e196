package dev.spindle.store.redis;

import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.AttemptRecord;
import dev.spindle.queue.spi.JobAttempts;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@link AttemptLedger} of a {@link RedisJobStore}: the claim, completion, suspension, reclaim
 * and step-write scripts write each job's ledger in the same script ({@code lua/lib/ledger.lua}:
 * two lists per job and a set of duplicated jobs, deleted with the job); this role reads
 * it, each call one read-only script. Keeps the entries of each job's last {@value
 * AttemptLedger#DEFAULT_KEEP} claims, and at most that many refused writes per job. Thread-safe
 * (stateless besides the connection).
 */
final class RedisAttempts implements AttemptLedger {
  private static final Pattern ATTEMPT =
      Pattern.compile("^(\\d+)\\|(\\d*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|(.*)$", Pattern.DOTALL);
  private static final Pattern REFUSED = Pattern.compile("^(\\d+)\\|([^|]*)\\|([^|]*)\\|([^|]*)$", Pattern.DOTALL);

  private final RedisLink link;

  RedisAttempts(RedisLink link) {
    this.link = link;
  }

  @Override
  public Optional<JobAttempts> attempts(String jobId) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return Optional.empty();
    }
    List<?> r = link.script(Script.ATTEMPTS, true, id);
    if (((Long) r.get(0)) == 0) {
      return Optional.empty();
    }
    List<AttemptRecord> attempts = new ArrayList<>();
    for (Object o : (List<?>) r.get(1)) {
      attempts.add(attempt((String) o));
    }
    List<RefusedWrite> refused = new ArrayList<>();
    for (Object o : (List<?>) r.get(2)) {
      refused.add(refused((String) o));
    }
    return Optional.of(new JobAttempts(attempts, refused));
  }

  @Override
  public Map<String, Long> duplicatesByTask() {
    List<?> r = link.script(Script.DUPLICATES, true);
    Map<String, Long> out = new TreeMap<>();
    for (int i = 0; i + 1 < r.size(); i += 2) {
      out.put((String) r.get(i), (Long) r.get(i + 1));
    }
    return out;
  }

  private static AttemptRecord attempt(String entry) {
    Matcher m = ATTEMPT.matcher(entry);
    if (!m.matches()) {
      throw new IllegalStateException("a malformed attempt entry in the store: " + entry);
    }
    return new AttemptRecord(m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2)), Long.parseLong(m.group(1)),
        unescape(m.group(6)), nullIfEmpty(unescape(m.group(7))), Times.instant(m.group(3)),
        Times.instantOrNull(nullIfEmpty(m.group(4))), AttemptOutcome.parse(nullIfEmpty(m.group(5))),
        nullIfEmpty(m.group(8)));
  }

  private static RefusedWrite refused(String entry) {
    Matcher m = REFUSED.matcher(entry);
    if (!m.matches()) {
      throw new IllegalStateException("a malformed refused-write entry in the store: " + entry);
    }
    return new RefusedWrite(Long.parseLong(m.group(1)), unescape(m.group(3)), Times.instant(m.group(2)),
        unescape(m.group(4)));
  }

  private static @Nullable String nullIfEmpty(String s) {
    return s.isEmpty() ? null : s;
  }

  /** Undoes the scripts' {@code esc}: {@code %25}, {@code %7C} and {@code %0A}. */
  private static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
