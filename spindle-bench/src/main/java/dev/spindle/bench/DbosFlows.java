package dev.spindle.bench;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.StartWorkflowOptions;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Queue;
import dev.dbos.transact.workflow.Workflow;
import dev.dbos.transact.workflow.WorkflowHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable-execution benchmark's workflows on DBOS Transact (Java), the peer measured beside
 * Spindle's durable jobs on the same PostgreSQL server: a workflow of ten no-op steps, and one of
 * three no-op steps with a durable sleep between the first and the second. Workflows are started on
 * a DBOS queue with a worker concurrency, as a background job would be; the caller then waits for
 * every result.
 *
 * <p>One instance per DBOS system database; not thread-safe (one benchmark thread drives it).
 */
final class DbosFlows implements AutoCloseable {
  /** The workflows, reached through DBOS's proxy so that calls are durable. */
  public interface Flows {
    /** Ten no-op steps. */
    String tenSteps(String id);

    /** A step, a durable sleep, two steps. */
    String sleepy(String id);
  }

  /** The workflows' bodies. */
  public static final class FlowsImpl implements Flows {
    private final DBOS dbos;
    private final Duration sleep;

    FlowsImpl(DBOS dbos, Duration sleep) {
      this.dbos = dbos;
      this.sleep = sleep;
    }

    @Override
    @Workflow(name = "tenSteps")
    public String tenSteps(String id) {
      for (int i = 0; i < 10; i++) {
        int step = i;
        dbos.runStep(() -> step, "step" + i);
      }
      return id;
    }

    @Override
    @Workflow(name = "sleepy")
    public String sleepy(String id) {
      dbos.runStep(() -> 1, "first");
      dbos.sleep(sleep);
      dbos.runStep(() -> 2, "second");
      dbos.runStep(() -> 3, "third");
      return id;
    }
  }

  /** How often the queue looks for work: DBOS's default is 1 s; a job queue's users expect less. */
  static final Duration POLL = Duration.ofMillis(50);

  private final DBOS dbos;
  private final Queue queue;
  private final Flows flows;
  private int seq;

  /**
   * Launches DBOS on {@code jdbcUrl} (its system tables in {@code schema}), with a queue running at
   * most {@code concurrency} workflows at once in this process.
   */
  DbosFlows(String jdbcUrl, String user, String password, String schema, int concurrency, Duration sleep) {
    DBOSConfig config = DBOSConfig.defaults("spindle-bench").withDatabaseUrl(jdbcUrl).withDbUser(user)
        .withDbPassword(password).withDatabaseSchema(schema).disableAdminServer();
    this.dbos = new DBOS(config);
    this.queue = new Queue("bench").withWorkerConcurrency(concurrency).withPollingInterval(POLL);
    dbos.registerQueue(queue);
    this.flows = dbos.registerProxy(Flows.class, new FlowsImpl(dbos, sleep));
    dbos.launch();
  }

  /**
   * Starts {@code n} workflows of ten steps (or sleepy ones) from {@code producers} threads and waits
   * for all, returning the seconds the starts took: on the queue, or
   * {@code direct}ly (each starts at once on DBOS's executor, no queue polling: DBOS's fastest path).
   */
  double run(int n, boolean sleepy, boolean direct, int producers) throws InterruptedException {
    List<WorkflowHandle<String, RuntimeException>> handles = java.util.Collections.synchronizedList(new ArrayList<>(n));
    int first = seq;
    seq += n;
    double started = DurableBench.startAll(n, producers, i -> {
      String id = "wf-" + (first + i);
      StartWorkflowOptions options = direct ? new StartWorkflowOptions(id)
          : new StartWorkflowOptions(queue).withWorkflowId(id);
      handles.add(sleepy ? dbos.startWorkflow(() -> flows.sleepy(id), options)
          : dbos.startWorkflow(() -> flows.tenSteps(id), options));
    });
    for (WorkflowHandle<String, RuntimeException> h : handles) {
      h.getResult();
    }
    return started;
  }

  @Override
  public void close() {
    dbos.shutdown();
  }
}
