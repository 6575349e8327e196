package dev.spindle.supervisor.examples;

import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;

/**
 * The text's first Cotyledon example: prints {@code Doing stuff} every second until it is asked
 * to stop. Optional args {@code {"message": "...", "intervalMillis": 1000}} change the line and the
 * period.
 */
public final class PrinterService extends Service {
  /**
   * Optional arguments.
   *
   * @param message the line to print (default {@code Doing stuff})
   * @param intervalMillis the period in milliseconds (default 1000)
   */
  public record Args(String message, long intervalMillis) {}

  private final String message;
  private final Duration interval;

  /** Built by the worker runtime. */
  public PrinterService(ServiceContext context) {
    super(context);
    Args a = context.argsJson() == null ? null : context.args(Args.class);
    this.message = a == null || a.message() == null ? "Doing stuff" : a.message();
    this.interval = Duration.ofMillis(a == null || a.intervalMillis() <= 0 ? 1000 : a.intervalMillis());
  }

  @Override
  public void run() throws InterruptedException {
    do {
      System.out.println(message);
    } while (!awaitStop(interval));
  }
}
