package dev.spindle.cli.queue;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./spindle workflow}: workflows on the durable queue, run by a worker in this process: the
 * Celery chapter's chain, a chord, and a failing branch under a {@code finally} callback, each
 * followed by its tree.
 */
@Command(name = "workflow", mixinStandardHelpOptions = true, subcommands = ThumbnailWorkflowCommand.class,
    description = {"Workflows on the durable queue: a chain (Celery's add.s(4, 6) | multiply.s(10)), a chord of"
        + " squares summed by a callback, and a failing branch under a finally callback; prints each result and"
        + " tree.", "Example: ./spindle workflow --store spindle-data/workflow.db"})
public final class WorkflowCommand implements Callable<Integer> {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Mixin ScratchStore.Options scratch = new ScratchStore.Options();

  @Override
  public Integer call() throws Exception {
    Path file;
    try {
      file = scratch.choose("workflow", System.out);
    } catch (ScratchStore.NotEmpty e) {
      System.err.println("spindle workflow: " + e.getMessage());
      return 1;
    }
    System.out.println("store: " + file);
    try (StoreBackend s = JobStores.open("sqlite:" + file);
         JobQueue q = JobQueue.builder(s).registry(WorkflowTasks.REGISTRY).build();
         Worker w = Worker.builder(s).registry(WorkflowTasks.REGISTRY).concurrency(4)
             .pollInterval(Duration.ofMillis(20)).start()) {
      run(System.out, q, s);
    }
    return 0;
  }

  static void run(PrintStream out, JobQueue q, StoreAdmin admin) {
    out.println("chain: add.s(4, 6) | multiply.s(10)");
    WorkflowHandle chain = q.submit(Workflow.chain(Workflow.task(WorkflowTasks.ADD, new long[] {4, 6}),
        Workflow.fromUpstream(WorkflowTasks.MULTIPLY_BY_10)));
    out.println("  result: " + chain.last().get(0).result(WAIT));
    tree(out, q, admin, chain);

    out.println("chord: sum(square(n) for n in 1..5)");
    Workflow[] squares = new Workflow[5];
    for (int i = 0; i < 5; i++) {
      squares[i] = Workflow.task(WorkflowTasks.SQUARE, (long) i + 1);
    }
    WorkflowHandle chord = q.submit(Workflow.chord(Workflow.group(squares), Workflow.fromUpstream(WorkflowTasks.SUM)));
    out.println("  result: " + chord.last().get(0).result(WAIT));
    tree(out, q, admin, chord);

    out.println("a failure: refuse -> square (cancelled), finally report");
    WorkflowHandle failing = q.submit(Workflow.chain(Workflow.task(WorkflowTasks.REFUSE, "no thanks"),
        Workflow.fromUpstream(WorkflowTasks.SQUARE)).onComplete(Workflow.fromUpstream(WorkflowTasks.REPORT)));
    for (JobInfo j : failing.await(WAIT)) {
      out.println("  job " + j.id() + " " + j.task() + " " + j.state());
    }
    out.println("  report: " + failing.last().get(0).result(WAIT).asText());
    tree(out, q, admin, failing);
  }

  private static void tree(PrintStream out, JobQueue q, StoreAdmin admin, WorkflowHandle h) {
    new WorkflowTree(admin.inspector(), q.store()::find, 50).print(out, h.last().get(0).id());
  }
}
