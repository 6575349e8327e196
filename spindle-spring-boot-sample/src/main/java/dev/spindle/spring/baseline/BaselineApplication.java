package dev.spindle.spring.baseline;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sample application without Spindle: {@code POST /orders} stores the order and confirms it at
 * once, in the request. Reads {@code baseline.properties}.
 */
@SpringBootApplication
public class BaselineApplication {
  /** For Spring. */
  public BaselineApplication() {}

  /**
   * Starts the application.
   *
   * @param args Spring Boot arguments
   */
  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(BaselineApplication.class);
    app.setDefaultProperties(Map.of("spring.config.name", "baseline"));
    app.run(args);
  }

  /** {@code POST /orders}. */
  @RestController
  public static class Orders {
    private final JdbcTemplate jdbc;

    /** @param jdbc the database */
    public Orders(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    /**
     * The body.
     *
     * @param item what is ordered
     */
    public record NewOrder(@Nullable String item) {}

    /**
     * Stores and confirms an order.
     *
     * @param order the order
     * @return 202
     */
    @PostMapping("/orders")
    @Transactional
    public ResponseEntity<Map<String, Object>> place(@RequestBody NewOrder order) {
      jdbc.update("insert into orders (item, confirmed) values (?, true)", order.item());
      return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("status", "placed"));
    }
  }
}
