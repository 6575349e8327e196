package dev.spindle.spring.internal;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobRequest;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.spring.spi.TransactionalEnqueue;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link TransactionSupport} on spring-tx: one {@link Batch} synchronization per transaction scope
 * collects its jobs; after the commit they go to the store in one call, on rollback their futures
 * are cancelled. A nested transaction that suspends the outer one (REQUIRES_NEW) has its own batch,
 * since Spring suspends the outer scope's synchronizations. Thread-safe (batches are
 * per-thread, as Spring's transaction scopes are).
 */
final class SpringTransactionSupport extends TransactionSupport {
  private static final Logger LOG = LoggerFactory.getLogger("dev.spindle.spring.enqueue");

  private final JobQueue queue;
  private final List<Writer> writers;

  SpringTransactionSupport(JobQueue queue, List<TransactionalEnqueue> extensions, List<DataSource> dataSources) {
    this.queue = queue;
    List<Writer> ws = new ArrayList<>();
    JobStore store = queue.store();
    for (TransactionalEnqueue e : extensions) {
      for (DataSource ds : dataSources) {
        if (e.supports(store, ds)) {
          ws.add(new Writer(e, ds));
        }
      }
    }
    this.writers = List.copyOf(ws);
  }

  @Override
  public boolean synchronizationActive() {
    return TransactionSynchronizationManager.isSynchronizationActive();
  }

  @Override
  public @Nullable Writer inTransactionWriter() {
    if (writers.isEmpty() || !TransactionSynchronizationManager.isActualTransactionActive()) {
      return null;
    }
    for (Writer w : writers) {
      if (TransactionSynchronizationManager.hasResource(w.dataSource)) {
        return w;
      }
    }
    return null;
  }

  @Override
  public <H> CompletableFuture<H> defer(JobRequest request, Function<String, H> handle) {
    Batch batch = currentBatch();
    CompletableFuture<H> future = new CompletableFuture<>();
    Writer writer = inTransactionWriter();
    if (writer != null) {
      String id = writer.write(request);
      batch.written.add(new Written<>(id, handle, future));
    } else {
      batch.pending.add(new Pending<>(request, handle, future));
    }
    return future;
  }

  private Batch currentBatch() {
    for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
      if (s instanceof Batch b && b.owner == this) {
        return b;
      }
    }
    Batch b = new Batch(this);
    TransactionSynchronizationManager.registerSynchronization(b);
    return b;
  }

  /** An extension paired with a data source it covers. */
  static final class Writer {
    final TransactionalEnqueue extension;
    final DataSource dataSource;

    Writer(TransactionalEnqueue extension, DataSource dataSource) {
      this.extension = extension;
      this.dataSource = dataSource;
    }

    String write(JobRequest request) {
      Connection c = DataSourceUtils.getConnection(dataSource);
      try {
        return extension.enqueue(c, List.of(request)).get(0);
      } finally {
        DataSourceUtils.releaseConnection(c, dataSource);
      }
    }
  }

  private record Pending<H>(JobRequest request, Function<String, H> handle, CompletableFuture<H> future) {
    void complete(String id) {
      future.complete(handle.apply(id));
    }
  }

  private record Written<H>(String id, Function<String, H> handle, CompletableFuture<H> future) {}

  /** The jobs of one transaction scope. Used by one thread. */
  private static final class Batch implements TransactionSynchronization {
    final SpringTransactionSupport owner;
    final List<Pending<?>> pending = new ArrayList<>();
    final List<Written<?>> written = new ArrayList<>();

    Batch(SpringTransactionSupport owner) {
      this.owner = owner;
    }

    @Override
    public void afterCommit() {
      if (!pending.isEmpty()) {
        List<JobRequest> requests = pending.stream().map(Pending::request).toList();
        List<JobHandle<tools.jackson.databind.JsonNode>> handles;
        try {
          handles = owner.queue.enqueueAll(requests);
        } catch (RuntimeException e) {
          Set<String> tasks = new LinkedHashSet<>();
          requests.forEach(r -> tasks.add(r.taskName()));
          LOG.error("{} job(s) of task(s) {} were not enqueued after the transaction committed: {}",
              requests.size(), tasks, e.toString());
          pending.forEach(p -> p.future().completeExceptionally(e));
          pending.clear();
          completeWritten();
          return;
        }
        for (int i = 0; i < handles.size(); i++) {
          Pending<?> p = pending.get(i);
          try {
            p.complete(handles.get(i).id());
          } catch (RuntimeException e) {
            p.future().completeExceptionally(e);
          }
        }
        pending.clear();
      }
      completeWritten();
    }

    private void completeWritten() {
      for (Written<?> w : written) {
        complete(w);
      }
      written.clear();
    }

    private static <H> void complete(Written<H> w) {
      try {
        w.future().complete(w.handle().apply(w.id()));
      } catch (RuntimeException e) {
        w.future().completeExceptionally(e);
      }
    }

    @Override
    public void afterCompletion(int status) {
      // After a commit both lists are empty; otherwise nothing of this scope reached the store.
      pending.forEach(p -> p.future().cancel(false));
      written.forEach(w -> w.future().cancel(false));
      pending.clear();
      written.clear();
    }
  }
}
