package dev.spindle.test;

import dev.spindle.TaskCatalog;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test class whose test methods (and lifecycle methods) may take a
 * {@link SpindleTestQueue} parameter: each test gets a fresh one, running the tasks of
 * {@link #catalogs()}, closed after it. Shorthand for {@code @ExtendWith(SpindleExtension.class)}
 * with the catalogs.
 *
 * <pre>{@code
 * @SpindleTest(catalogs = MailTasks.class)
 * class SignupTest {
 *   @Test
 *   void sendsTheWelcomeMail(SpindleTestQueue spindle) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SpindleExtension.class)
public @interface SpindleTest {
  /**
   * The task catalogs the test queue runs (each a public class with a public no-argument
   * constructor). Empty (the default): the catalogs listed under
   * {@code META-INF/services/dev.spindle.TaskCatalog}.
   *
   * @return the catalog classes
   */
  Class<? extends TaskCatalog>[] catalogs() default {};

  /**
   * Where the clock starts, as an ISO-8601 instant.
   *
   * @return the start (default {@link SpindleTestQueue#DEFAULT_START})
   */
  String start() default "2030-01-01T00:00:00Z";
}
