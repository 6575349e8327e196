package dev.spindle.spring.sample;

import dev.spindle.spring.SpindleTasks;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Objects;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the row and its confirmation job commit together, or neither. Thread-safe. */
@Service
public class OrderService {
  private final JdbcTemplate jdbc;
  private final SpindleTasks<OrderTasks> tasks;

  /**
   * @param jdbc the application's database
   * @param tasks enqueues the order tasks with the transaction
   */
  public OrderService(JdbcTemplate jdbc, SpindleTasks<OrderTasks> tasks) {
    this.jdbc = jdbc;
    this.tasks = tasks;
  }

  /**
   * Stores an order and enqueues its confirmation, which runs only once the order is committed.
   *
   * @param item what is ordered
   * @param reject if true, fail after the enqueue (to show that the rollback drops the job too)
   * @return the order id
   * @throws OrderRejectedException if {@code reject}
   */
  @Transactional
  public long place(String item, boolean reject) {
    KeyHolder keys = new GeneratedKeyHolder();
    jdbc.update(c -> {
      PreparedStatement ps = c.prepareStatement("insert into orders (item) values (?)",
          Statement.RETURN_GENERATED_KEYS);
      ps.setString(1, item);
      return ps;
    }, keys);
    long id = Objects.requireNonNull(keys.getKey(), "generated id").longValue();
    tasks.enqueue(t -> t.confirm(new OrderConfirmation(id, item)));
    if (reject) {
      throw new OrderRejectedException("order " + id + " rejected: nothing is stored, nothing is enqueued");
    }
    return id;
  }

  /** Thrown by {@link #place} when asked to reject. */
  public static final class OrderRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message why */
    public OrderRejectedException(String message) {
      super(message);
    }
  }
}
