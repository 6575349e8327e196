package dev.spindle.test;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The tasks of the tests: a small shop's mail, reports and a flaky payment call. */
public final class ShopTasks implements TaskCatalog {
  /** A mail to send. */
  public record Mail(String to, String subject) {}

  /** A shape; without type information in its JSON, so it cannot be read back as a Shape. */
  public interface Shape {}

  /** A circle. */
  public record Circle(double radius) implements Shape {}

  /** Sends a mail (returns the address it went to). */
  public static final Task<Mail, String> SEND_MAIL = Task.of("shop.send-mail", Mail.class, String.class, Mail::to);
  /** Builds a report; counts its runs. */
  public static final AtomicInteger REPORTS = new AtomicInteger();
  /** The report task. */
  public static final Task<String, Integer> REPORT = Task.of("shop.report", String.class, Integer.class,
      name -> REPORTS.incrementAndGet());
  /** The area of a shape (its input type is an interface: its JSON does not say which shape). */
  public static final Task<Shape, Double> AREA = Task.of("shop.area", Shape.class, Double.class,
      s -> s instanceof Circle c ? Math.PI * c.radius() * c.radius() : 0.0);

  /** For ServiceLoader and TaskRegistry.of. */
  public ShopTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(SEND_MAIL, REPORT, AREA);
  }
}
