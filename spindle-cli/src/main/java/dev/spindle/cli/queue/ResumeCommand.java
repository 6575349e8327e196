package dev.spindle.cli.queue;

import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.ResumePlan;
import dev.spindle.queue.WorkflowResume;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spindle jobs resume ID [--node J] [--args JSON] [--dry-run]}: resumes a failed workflow (a
 * FAILED or DEAD node runs again, the dependents its failure cancelled wait for it again), in one
 * store transaction, recorded in the store's audit log; {@code --dry-run} prints the moves only.
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
    description = {"Resumes a failed workflow: retries a FAILED or DEAD node (optionally with new arguments) and"
        + " re-arms the dependents its failure cancelled, atomically; jobs an operator cancelled stay cancelled.",
        "Examples: ./spindle jobs resume 42 --dry-run   ./spindle jobs resume 42 --node 40 --args '{\"n\":2}'"})
final class ResumeCommand implements Callable<Integer> {
  @Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Mixin
  QueueSupport.CatalogOption catalog = new QueueSupport.CatalogOption();

  @Parameters(paramLabel = "ID", description = "any job of the workflow")
  String id = "";

  @Option(names = "--node", paramLabel = "JOB",
      description = "the FAILED or DEAD node to retry (default: ID if it failed, else the workflow's only failed node)")
  @Nullable String node;

  @Option(names = "--args", paramLabel = "JSON",
      description = "new arguments for the node, checked against its task's input type (default: its own)")
  @Nullable String args;

  @Option(names = "--dry-run", description = "print what would move, change nothing")
  boolean dryRun;

  @Option(names = "--key-file", paramLabel = "PATH",
      description = "the key ring file (as for workers) to encrypt new arguments of an encrypted job with")
  @Nullable Path keyFile;

  @Override
  public Integer call() {
    try (StoreBackend s = store.open()) {
      JobQueue.Builder b = JobQueue.builder(s).registry(catalog.registry());
      if (keyFile != null) {
        b.encryption(KeyRing.fromFile(keyFile));
      }
      try (JobQueue q = b.build()) {
        WorkflowResume r = WorkflowResume.of(q, s);
        ResumePlan plan = dryRun ? r.preview(id, node, args) : r.resume(id, node, args);
        print(plan);
        if (!dryRun) {
          s.auditLog().appendAudit(new AuditRecord(0, Clock.systemUTC().instant(), "cli:" + System.getProperty(
              "user.name", "unknown"), "workflow.resume", plan.nodeId(), plan.summary()));
        }
        return ExitCode.OK.code();
      }
    } catch (RuntimeException e) {
      return QueueSupport.fail("jobs resume", e);
    }
  }

  private static void print(ResumePlan plan) {
    System.out.println((plan.applied() ? "resumed: " : "would resume (dry run): ") + plan.summary());
    for (ResumeMove m : plan.moves()) {
      System.out.println("  job " + m.jobId() + " " + m.from() + " -> " + m.to());
    }
  }
}
