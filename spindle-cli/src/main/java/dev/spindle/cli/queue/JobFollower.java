package dev.spindle.cli.queue;

import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobProgress;
import dev.spindle.queue.Redaction;
import dev.spindle.queue.spi.StoreBackend;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@code spindle jobs show ID --follow} prints while a job runs: at each {@link #poll()} the
 * job's progress when it changed and its log lines not printed yet (a gap when lines were dropped
 * before they could be read), and its end once it ended. Reads the job before its reports, so the
 * poll that sees the end also sees the last reports (a worker writes them before the outcome). Text
 * goes through {@link Redaction#apply(JobInfo, JobProgress)}. Not thread-safe: one follower, one thread.
 */
final class JobFollower {
  private final StoreBackend store;
  private final String id;
  private final Redaction redaction;
  private final PrintStream out;
  private long seen;
  private @Nullable String lastProgress;
  private @Nullable ExitCode end;

  JobFollower(StoreBackend store, String id, Redaction redaction, PrintStream out) {
    this.store = store;
    this.id = id;
    this.redaction = redaction;
    this.out = out;
  }

  /**
   * Prints what is new; returns true once the job ended (or was removed).
   */
  boolean poll() {
    Optional<JobInfo> found = store.find(id);
    if (found.isEmpty()) {
      out.println("removed    job " + id + " is gone (deleted, or removed by retention)");
      end = ExitCode.NOT_FOUND;
      return true;
    }
    JobInfo j = found.get();
    JobProgress p = store.progress().flatMap(v -> v.view(id)).map(v -> redaction.apply(j, v))
        .orElse(JobProgress.NONE);
    String progress = progressLine(p);
    if (progress != null && !progress.equals(lastProgress)) {
      out.println(progress);
      lastProgress = progress;
    }
    printLines(p);
    if (j.state().isTerminal()) {
      out.println("ended      " + j.state() + (j.deadReason() != null ? " (" + j.deadReason() + ")" : ""));
      end = ExitCode.ofFinished(j.state());
      return true;
    }
    return false;
  }

  /** The status to exit with once {@link #poll()} returned true: the job's own for its end. */
  ExitCode exitCode() {
    return end == null ? ExitCode.WAIT_TIMEOUT : end;
  }

  private void printLines(JobProgress p) {
    for (JobProgress.Line l : p.linesAfter(seen)) {
      if (l.seq() > seen + 1) {
        out.println("           ... " + (l.seq() - seen - 1) + " line(s) dropped before they could be read");
      }
      out.println(line(l));
      seen = l.seq();
    }
  }

  /** {@code progress   40% message}, or null if the job reported no progress. */
  static @Nullable String progressLine(JobProgress p) {
    Double f = p.fraction();
    if (f == null) {
      return null;
    }
    String pct = String.format(Locale.ROOT, "%3d%%", Math.round(f * 100));
    return "progress   " + pct + (p.message().isEmpty() ? "" : " " + p.message());
  }

  /** {@code #3 2030-01-01T00:00:00Z WARN  message}. */
  static String line(JobProgress.Line l) {
    return "log #" + l.seq() + " " + l.at() + " " + String.format(Locale.ROOT, "%-5s", l.level()) + " " + l.message();
  }
}
