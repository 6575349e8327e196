package dev.spindle.spring.sample;

import dev.spindle.spring.SpindleSchedule;
import dev.spindle.spring.SpindleTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The application's tasks, run by the worker started with the application. These two methods are
 * the whole allow-list: no other task name can be enqueued or run. {@link OrderService} enqueues
 * the confirmation through the typed {@code SpindleTasks<OrderTasks>}; the report runs on its cron
 * schedule. Thread-safe.
 */
@Component
public class OrderTasks {
  /** Confirms an order. */
  public static final String CONFIRM = "orders.confirm";
  /** Counts orders (run every minute by the schedule {@link #REPORT_SCHEDULE}). */
  public static final String REPORT = "reports.orders";
  /** The report's schedule. */
  public static final String REPORT_SCHEDULE = "orders-report";
  private static final Logger LOG = LoggerFactory.getLogger(OrderTasks.class);

  private final JdbcTemplate jdbc;

  /** @param jdbc the application's database */
  public OrderTasks(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Marks the order confirmed (a real application would send the e-mail here). Up to 5 attempts,
   * 30 s each, 2 s apart and doubling; an order that does not exist is not retried.
   *
   * @param c the order
   * @return a short message, kept as the job's result
   */
  @SpindleTask(name = CONFIRM, maxAttempts = 5, timeout = "30s", backoffInitial = "2s",
      giveUpOn = IllegalStateException.class)
  public String confirm(OrderConfirmation c) {
    int updated = jdbc.update("update orders set confirmed = true where id = ?", c.orderId());
    if (updated != 1) {
      throw new IllegalStateException("no order " + c.orderId());
    }
    LOG.info("order {} ({}) confirmed", c.orderId(), c.item());
    return "confirmed order " + c.orderId();
  }

  /**
   * Reports the number of orders.
   *
   * @return the counts
   */
  @SpindleTask(REPORT)
  @SpindleSchedule(name = REPORT_SCHEDULE, cron = "* * * * *")
  public OrderReport report() {
    Long total = jdbc.queryForObject("select count(*) from orders", Long.class);
    Long confirmed = jdbc.queryForObject("select count(*) from orders where confirmed", Long.class);
    OrderReport r = new OrderReport(total == null ? 0 : total, confirmed == null ? 0 : confirmed);
    LOG.info("orders so far: {} ({} confirmed)", r.total(), r.confirmed());
    return r;
  }

  /**
   * The report's result.
   *
   * @param total orders placed
   * @param confirmed orders confirmed
   */
  public record OrderReport(long total, long confirmed) {}
}
