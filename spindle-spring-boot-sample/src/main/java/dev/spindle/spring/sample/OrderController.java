package dev.spindle.spring.sample;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders} (enqueues a confirmation job), {@code GET /orders/{id}}. */
@RestController
public class OrderController {
  private final OrderService orders;
  private final JdbcTemplate jdbc;

  /**
   * @param orders the service
   * @param jdbc the application's database
   */
  public OrderController(OrderService orders, JdbcTemplate jdbc) {
    this.orders = orders;
    this.jdbc = jdbc;
  }

  /**
   * The body of {@code POST /orders}.
   *
   * @param item what is ordered (null when the body lacks it: refused)
   */
  public record NewOrder(@Nullable String item) {}

  /**
   * Places an order; its confirmation runs on the worker after the commit.
   *
   * @param order the order
   * @param reject fail the transaction after enqueueing (demonstration)
   * @return 202 with the order id
   */
  @PostMapping("/orders")
  public ResponseEntity<Map<String, Object>> place(@RequestBody NewOrder order,
      @RequestParam(name = "reject", defaultValue = "false") boolean reject) {
    String item = order.item();
    if (item == null || item.isBlank() || item.length() > 200) {
      return ResponseEntity.badRequest().body(Map.of("error", "item must be 1-200 characters"));
    }
    long id = orders.place(item, reject);
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("orderId", id, "status", "placed"));
  }

  /**
   * An order and whether it is confirmed yet.
   *
   * @param id the order id
   * @return 200 with the order, 404 if there is none
   */
  @GetMapping("/orders/{id}")
  public ResponseEntity<Map<String, Object>> get(@PathVariable("id") long id) {
    List<Map<String, Object>> rows = jdbc.queryForList("select id, item, confirmed from orders where id = ?", id);
    if (rows.isEmpty()) {
      return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no order " + id));
    }
    Map<String, Object> r = rows.get(0);
    return ResponseEntity.ok(Map.of("orderId", id, "item", r.get("ITEM"), "confirmed", r.get("CONFIRMED")));
  }

  /**
   * A rejected order: 409.
   *
   * @param e the rejection
   * @return the error
   */
  @ExceptionHandler(OrderService.OrderRejectedException.class)
  public ResponseEntity<Map<String, Object>> rejected(OrderService.OrderRejectedException e) {
    return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
  }
}
