package dev.spindle.cli.queue;

import dev.spindle.TaskFailedException;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code spindle enqueue} prints as it adds jobs and as waited jobs finish, one implementation
 * per output form: for people, ids only ({@code --quiet}) and one JSON document ({@code --json}).
 * Each holds only what it prints next, so a million jobs take no more memory than one. Messages go
 * to stderr. Not thread-safe: one command's thread uses it.
 */
sealed interface EnqueuePrinter {
  /** Shows a job just added ({@code isNew()} false: the existing job of its unique key). */
  void enqueued(JobHandle<JsonNode> h);

  /** Shows a waited job that finished in {@code j}. */
  void finished(JobHandle<JsonNode> h, JobInfo j);

  /** Ends the output; {@code code} is the exit status, {@code timedOut} if the wait ran out. */
  void done(ExitCode code, boolean timedOut);

  /** Ends the output after a failure that {@code message} describes; {@code code} is the exit status. */
  void failed(String message, ExitCode code);

  /** The first 20 ids, then the range; a single waited job's result (or error); a summary. */
  final class Human implements EnqueuePrinter {
    /** The most ids listed one per line; the rest are summed up as a range. */
    static final int LISTED = 20;

    private final PrintStream out;
    private final @Nullable String uniqueKey;
    private long added;
    private long succeeded;
    private long finished;
    private @Nullable String first;
    private @Nullable String last;

    Human(PrintStream out, @Nullable String uniqueKey) {
      this.out = out;
      this.uniqueKey = uniqueKey;
    }

    @Override
    public void enqueued(JobHandle<JsonNode> h) {
      added++;
      if (first == null) {
        first = h.id();
      }
      last = h.id();
      if (added <= LISTED) {
        out.println(h.id() + (h.isNew() ? "" : "  (existing job with unique key " + uniqueKey + ")"));
      }
    }

    /** Closes the list of ids: prints the range of those not listed. */
    void listed() {
      if (added > LISTED) {
        out.println("... " + added + " jobs: " + first + " to " + last);
      }
      out.flush();
    }

    @Override
    public void finished(JobHandle<JsonNode> h, JobInfo j) {
      if (finished == 0) {
        listed();
      }
      finished++;
      if (j.state() == JobState.SUCCEEDED) {
        succeeded++;
      }
      if (added > 1) {
        return;
      }
      try {
        out.println(h.result(Duration.ZERO));
      } catch (TaskFailedException e) {
        System.err.println("job " + h.id() + " " + j.state() + (j.deadReason() != null ? " (" + j.deadReason()
            + ")" : "") + ": " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
      } catch (CancellationException e) {
        System.err.println("job " + h.id() + " was cancelled");
      }
    }

    @Override
    public void done(ExitCode code, boolean timedOut) {
      if (finished == 0) {
        listed();
      }
      if (added > 1 && finished > 0 && !timedOut) {
        out.println(succeeded + " of " + added + " jobs succeeded");
      }
      out.flush();
    }

    @Override
    public void failed(String message, ExitCode code) {
      done(code, false);
    }
  }

  /** {@code --quiet}: every id, one per line, as it is added. */
  final class Ids implements EnqueuePrinter {
    private final PrintStream out;

    Ids(PrintStream out) {
      this.out = out;
    }

    @Override
    public void enqueued(JobHandle<JsonNode> h) {
      out.println(h.id());
    }

    @Override
    public void finished(JobHandle<JsonNode> h, JobInfo j) {
      // the exit status says how they ended
    }

    @Override
    public void done(ExitCode code, boolean timedOut) {
      out.flush();
    }

    @Override
    public void failed(String message, ExitCode code) {
      out.flush();
    }
  }

  /**
   * {@code --json}: one document, written as the jobs come (docs/CLI.md):
   * {@code {"jobs":[{"id":"1","new":true},...],"added":N,"exitCode":0}}; with {@code --wait}, each
   * entry is the finished job ({@code jobs show --json}'s form plus {@code new}), and
   * {@code succeeded} and {@code timedOut} follow. After a failure, {@code error} says what failed.
   */
  final class Json implements EnqueuePrinter {
    private final PrintStream out;
    private final boolean waiting;
    private @Nullable JsonGenerator gen;
    private long added;
    private long succeeded;

    Json(PrintStream out, boolean waiting) {
      this.out = out;
      this.waiting = waiting;
    }

    private JsonGenerator gen() {
      JsonGenerator g = gen;
      if (g == null) {
        g = CliJson.MAPPER.createGenerator(out);
        g.writeStartObject();
        g.writeArrayPropertyStart("jobs");
        gen = g;
      }
      return g;
    }

    @Override
    public void enqueued(JobHandle<JsonNode> h) {
      added++;
      JsonGenerator g = gen();
      if (!waiting) {
        g.writeStartObject();
        g.writeStringProperty("id", h.id());
        g.writeBooleanProperty("new", h.isNew());
        g.writeEndObject();
      }
    }

    @Override
    public void finished(JobHandle<JsonNode> h, JobInfo j) {
      if (j.state() == JobState.SUCCEEDED) {
        succeeded++;
      }
      ObjectNode o = CliJson.job(j);
      o.put("new", h.isNew());
      gen().writeTree(o);
    }

    @Override
    public void done(ExitCode code, boolean timedOut) {
      JsonGenerator g = end();
      if (waiting) {
        g.writeNumberProperty("succeeded", succeeded);
        g.writeBooleanProperty("timedOut", timedOut);
      }
      close(g, code);
    }

    @Override
    public void failed(String message, ExitCode code) {
      if (gen == null) {
        return; // nothing was printed: the message on stderr says it all
      }
      JsonGenerator g = end();
      g.writeStringProperty("error", message);
      close(g, code);
    }

    private JsonGenerator end() {
      JsonGenerator g = gen();
      g.writeEndArray();
      g.writeNumberProperty("added", added);
      return g;
    }

    private void close(JsonGenerator g, ExitCode code) {
      g.writeNumberProperty("exitCode", code.code());
      g.writeEndObject();
      g.flush(); // not close(): that would close System.out
      out.println();
      out.flush();
    }
  }
}
