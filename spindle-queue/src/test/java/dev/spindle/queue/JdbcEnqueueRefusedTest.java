package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.memory.InMemoryJobStore;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Enqueue inside an application's JDBC transaction needs a store in that database: the others
 * refuse it plainly and add nothing. (PostgreSQL's side: PostgresTransactionalEnqueueTest and the
 * store's own tests.)
 */
class JdbcEnqueueRefusedTest {
  @Test
  void aStoreOutsideTheApplicationsDatabaseRefusesAndAddsNothing() {
    Connection unused = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (p, m, a) -> {
          throw new AssertionError("the connection must not be touched: " + m.getName());
        });
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).build()) {
      assertThat(store.jdbcEnqueue()).isEmpty();
      assertThatThrownBy(() -> q.enqueueAll(unused, List.of(new JobRequest("t.any", "1", JobOptions.defaults()))))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("cannot enqueue inside an application's JDBC transaction");
      assertThat(store.inspector().queueSummaries()).isEmpty();
    }
  }
}
