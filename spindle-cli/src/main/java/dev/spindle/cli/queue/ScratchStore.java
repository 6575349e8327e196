package dev.spindle.cli.queue;

import dev.spindle.files.PrivateFiles;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.StoreBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The SQLite store a demonstration command ({@code spindle demo}, {@code spindle workflow}) runs on,
 * chosen so that it never deletes what it did not create: without {@code --store}, a fresh file in a
 * new directory of its own under {@code spindle-data/}; with {@code --store FILE}, that file if it
 * is missing or holds nothing (no jobs, schedules or flow limits), else a refusal that says what it
 * holds, unless the caller asked to reset it (then its files are deleted and the deletion reported).
 * Stateless.
 */
final class ScratchStore {
  private ScratchStore() {}

  /** The {@code --store} and {@code --reset-store} options of a command on a scratch store (a picocli mixin). */
  static final class Options {
    @Option(names = "--store", paramLabel = "FILE",
        description = "the SQLite file to run on, which must be new or empty (default: a new file of its own under"
            + " spindle-data/)")
    @Nullable Path store;

    @Option(names = "--reset-store", description = "if the --store file holds jobs, schedules or flow limits, delete"
        + " it and them first")
    boolean resetStore;

    /** {@link ScratchStore#choose} with these options. */
    Path choose(String command, PrintStream out) throws IOException {
      return ScratchStore.choose(command, store, resetStore, out);
    }
  }

  /** Refused: the given store holds data and no reset was asked for. */
  static final class NotEmpty extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotEmpty(String message) {
      super(message);
    }
  }

  /**
   * The file to run on (see the class comment).
   *
   * @param command the command's name, for the scratch directory and messages ("demo")
   * @param given the {@code --store} value, or {@code null}
   * @param reset whether {@code --reset-store} was given: a non-empty {@code given} store is deleted
   * @param out where the reset's deletion is reported
   * @throws NotEmpty if {@code given} holds data and {@code reset} is false, or cannot be read as a
   *     Spindle store (another application's file is never deleted)
   * @throws IOException if the scratch directory or a deletion fails
   */
  static Path choose(String command, @Nullable Path given, boolean reset, PrintStream out) throws IOException {
    if (given == null) {
      Path base = Path.of("spindle-data");
      Files.createDirectories(base);
      Path dir = PrivateFiles.createTempDirectory(base, command + "-");
      return dir.resolve(command + ".db");
    }
    String holds = contents(given, command);
    if (holds.isEmpty()) {
      return given;
    }
    if (!reset) {
      throw new NotEmpty("--store " + given + " holds " + holds + "; the " + command + " runs on an empty store:"
          + " leave out --store (it then uses a new file of its own), give a new file, or add --reset-store to"
          + " delete " + given + " and everything in it");
    }
    List<String> deleted = new ArrayList<>();
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path p = Path.of(given + suffix);
      if (Files.deleteIfExists(p)) {
        deleted.add(p.toString());
      }
    }
    out.println("--reset-store: deleted " + String.join(", ", deleted) + " (it held " + holds + ")");
    return given;
  }

  /** What the store at {@code file} holds ("39 jobs, 2 schedules, 1 flow limit"), or "" if nothing or missing. */
  private static String contents(Path file, String command) {
    try (StoreBackend s = JobStores.openExisting("sqlite:" + file)) {
      long jobs = 0;
      for (QueueSummary q : s.inspector().queueSummaries()) {
        jobs += q.counts().values().stream().mapToLong(Long::longValue).sum();
      }
      int schedules = s.schedules().size();
      int limits = s.flowAdmin().map(f -> f.limits().size()).orElse(0);
      List<String> parts = new ArrayList<>();
      if (jobs > 0) {
        parts.add(jobs + (jobs == 1 ? " job" : " jobs"));
      }
      if (schedules > 0) {
        parts.add(schedules + (schedules == 1 ? " schedule" : " schedules"));
      }
      if (limits > 0) {
        parts.add(limits + (limits == 1 ? " flow limit" : " flow limits"));
      }
      return String.join(", ", parts);
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.NOT_FOUND) {
        return "";
      }
      throw new NotEmpty("--store " + file + " cannot be read as a Spindle store, so the " + command
          + " leaves it alone: " + e.getMessage());
    }
  }
}
