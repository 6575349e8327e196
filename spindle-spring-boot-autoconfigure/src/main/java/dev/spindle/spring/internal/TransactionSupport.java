package dev.spindle.spring.internal;

import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobRequest;
import dev.spindle.spring.spi.TransactionalEnqueue;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * How the enqueuer sees Spring transactions, without referring to spring-tx itself, so that
 * applications without spring-tx load nothing of it ({@link SpringTransactionSupport} does).
 * Thread-safe.
 */
public abstract class TransactionSupport {
  static final String TX_CLASS = "org.springframework.transaction.support.TransactionSynchronizationManager";
  static final String JDBC_CLASS = "org.springframework.jdbc.datasource.DataSourceUtils";

  /** For subclasses. */
  protected TransactionSupport() {}

  /**
   * Transaction support for {@code queue}, or null when spring-tx is not on the class path.
   *
   * @param extensions stores that write inside JDBC transactions (ignored without spring-jdbc)
   * @param dataSources the application's data sources
   * @param classLoader where to look for spring-tx and spring-jdbc (null: this class's loader)
   */
  public static @Nullable TransactionSupport create(JobQueue queue, List<TransactionalEnqueue> extensions,
      List<DataSource> dataSources, @Nullable ClassLoader classLoader) {
    ClassLoader cl = classLoader != null ? classLoader : TransactionSupport.class.getClassLoader();
    if (!ClassUtils.isPresent(TX_CLASS, cl)) {
      return null;
    }
    boolean jdbc = ClassUtils.isPresent(JDBC_CLASS, cl);
    return new SpringTransactionSupport(queue, jdbc ? extensions : List.of(), jdbc ? dataSources : List.of());
  }

  /** True if the calling thread is inside a transaction scope with synchronization. */
  public abstract boolean synchronizationActive();

  /**
   * The writer for the calling thread's transaction if one of the extensions covers its data
   * source, else null.
   */
  public abstract @Nullable Object inTransactionWriter();

  /**
   * Enqueues {@code request} with the current transaction: written now through the transaction's
   * connection if an extension covers it, else queued for after the commit.
   *
   * @param handle makes the handle from the job id, once the job is visible
   * @return completes once visible; cancelled on rollback
   */
  public abstract <H> CompletableFuture<H> defer(JobRequest request, Function<String, H> handle);
}
