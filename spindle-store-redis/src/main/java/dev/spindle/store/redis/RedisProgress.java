package dev.spindle.store.redis;

import dev.spindle.TaskContext;
import dev.spindle.queue.JobProgress;
import dev.spindle.queue.spi.ProgressStore;
import dev.spindle.queue.spi.ProgressUpdate;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ProgressStore} of a {@link RedisJobStore}: a batch of updates is one script (one round
 * trip), which checks per update that the worker holds the job (RUNNING, worker, fencing token)
 * before it writes; a job's progress is a hash and its kept lines a list beside the job, in its
 * namespace's slot, deleted with it by retention and delete ({@code lua/lib/durable.lua} describes
 * them). A write is not retried after a lost reply (lines would be appended twice): it fails, and
 * the worker drops that batch. Thread-safe (stateless besides the connection).
 */
final class RedisProgress implements ProgressStore {
  private final RedisLink link;

  RedisProgress(RedisLink link) {
    this.link = link;
  }

  @Override
  public List<Boolean> write(List<ProgressUpdate> updates, int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
    }
    List<Boolean> out = new ArrayList<>(updates.size());
    List<String> args = new ArrayList<>();
    args.add(Integer.toString(maxLines));
    List<Integer> sent = new ArrayList<>();
    for (int i = 0; i < updates.size(); i++) {
      ProgressUpdate u = updates.get(i);
      String id = RedisJobStore.canonicalId(u.jobId());
      out.add(false);
      if (id == null) {
        continue; // names no job: fenced off
      }
      sent.add(i);
      addArgs(args, id, u, maxLines);
    }
    if (sent.isEmpty()) {
      return out;
    }
    List<?> r = link.script(Script.PROGRESS_WRITE, false, args.toArray(String[]::new));
    for (int k = 0; k < sent.size(); k++) {
      out.set(sent.get(k), ((Long) r.get(k)) == 1);
    }
    return out;
  }

  /** The script's arguments of one update; only the lines that will be kept are sent. */
  private static void addArgs(List<String> args, String id, ProgressUpdate u, int maxLines) {
    Double f = u.fraction();
    args.add(id);
    args.add(Long.toString(u.fence()));
    args.add(u.workerId());
    args.add(f == null ? "" : Double.toString(f));
    args.add(u.message());
    args.add(Times.encode(u.updatedAt()));
    List<JobProgress.Line> lines = u.lines();
    int skip = Math.max(0, lines.size() - maxLines);
    // every line counts in the total, so the skipped ones are sent as empty lines the trim drops
    args.add(Integer.toString(lines.size()));
    for (int i = 0; i < lines.size(); i++) {
      JobProgress.Line l = lines.get(i);
      args.add(i < skip ? "" : Times.encode(l.at()) + "|" + l.level().name() + "|" + l.message());
    }
  }

  @Override
  public Optional<JobProgress> view(String jobId) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return Optional.empty();
    }
    List<?> r = link.script(Script.PROGRESS_VIEW, true, id);
    if (((Long) r.get(0)) == 0) {
      return Optional.empty();
    }
    @Nullable String fraction = (String) r.get(1);
    @Nullable String at = (String) r.get(3);
    long total = Long.parseLong((String) r.get(4));
    if (fraction == null && total == 0) {
      return Optional.of(JobProgress.NONE);
    }
    List<JobProgress.Line> lines = new ArrayList<>();
    for (int i = 5; i < r.size(); i++) {
      lines.add(line((String) r.get(i)));
    }
    return Optional.of(new JobProgress(fraction == null ? null : Double.parseDouble(fraction),
        fraction == null ? "" : (String) r.get(2), fraction == null ? null : Times.instantOrNull(at), lines, total));
  }

  /** A line from its stored text {@code "seq|at|LEVEL|message"}. */
  private static JobProgress.Line line(String text) {
    String[] f = text.split("\\|", 4);
    if (f.length != 4) {
      throw new IllegalStateException("a stored log line is malformed");
    }
    return new JobProgress.Line(Long.parseLong(f[0]), Times.instant(f[1]), TaskContext.LogLevel.valueOf(f[2]), f[3]);
  }
}
