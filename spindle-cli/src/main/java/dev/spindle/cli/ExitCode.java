package dev.spindle.cli;

import dev.spindle.queue.JobState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit statuses of the {@code spindle} command, one per outcome a script may want to tell
 * apart. The numbers are stable: scripts test them. Listed in {@code spindle --help} and in
 * docs/CLI.md. Immutable and thread-safe.
 */
public enum ExitCode {
  /** The command did what was asked; with {@code --wait}, every job SUCCEEDED. */
  OK(0, "success; with --wait, every job succeeded"),
  /** Any other failure: the message on stderr says what happened. */
  ERROR(1, "error (the message on stderr says what happened)"),
  /** Bad options or arguments (picocli's usage errors), nothing was done. */
  USAGE(2, "usage error: bad options or arguments; nothing was done"),
  /** A waited job ended FAILED (its attempts ran out). */
  JOB_FAILED(3, "a waited job ended FAILED"),
  /** A waited job went DEAD (dead-lettered: unknown task, lost too often, gave up). */
  JOB_DEAD(4, "a waited job went DEAD"),
  /** A waited job was CANCELLED. */
  JOB_CANCELLED(5, "a waited job was CANCELLED"),
  /** {@code --wait} ran out before every job finished; the jobs stay queued. */
  WAIT_TIMEOUT(6, "--wait timed out; the jobs stay in the store"),
  /** The store could not be reached or opened (server down, file unreadable, busy). */
  STORE_UNAVAILABLE(7, "the store is unreachable or cannot be opened"),
  /** The named job, schedule or flow limit does not exist. */
  NOT_FOUND(8, "the named job, schedule or flow limit does not exist"),
  /** There is no store at the location; a command that only reads created nothing. */
  NO_STORE(9, "there is no store at the location (nothing was created)");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The process exit status. */
  public int code() {
    return code;
  }

  /** One line saying when it is returned. */
  public String meaning() {
    return meaning;
  }

  /**
   * The status for a waited job that ended in {@code state}: {@link #OK} for SUCCEEDED, the job's
   * own code for FAILED, DEAD and CANCELLED, {@link #WAIT_TIMEOUT} for a state that is not final.
   */
  public static ExitCode ofFinished(JobState state) {
    return switch (state) {
      case SUCCEEDED -> OK;
      case FAILED -> JOB_FAILED;
      case DEAD -> JOB_DEAD;
      case CANCELLED -> JOB_CANCELLED;
      case WAITING, SCHEDULED, QUEUED, RUNNING -> WAIT_TIMEOUT;
    };
  }

  /**
   * The more telling of two statuses of a waited batch: a timeout first, then DEAD, FAILED,
   * CANCELLED, then success.
   */
  public static ExitCode worst(ExitCode a, ExitCode b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(ExitCode c) {
    return switch (c) {
      case OK -> 0;
      case JOB_CANCELLED -> 1;
      case JOB_FAILED -> 2;
      case JOB_DEAD -> 3;
      case WAIT_TIMEOUT -> 4;
      case ERROR, USAGE, STORE_UNAVAILABLE, NOT_FOUND, NO_STORE -> 5;
    };
  }

  /** The help footer's list: {@code "0"} to its meaning, in order. */
  static Map<String, String> helpList() {
    Map<String, String> m = new LinkedHashMap<>();
    for (ExitCode c : values()) {
      m.put(Integer.toString(c.code), c.meaning);
    }
    return m;
  }
}
