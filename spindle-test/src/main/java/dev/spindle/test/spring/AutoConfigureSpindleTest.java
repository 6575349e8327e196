package dev.spindle.test.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.test.context.TestPropertySource;

/**
 * On a {@code @SpringBootTest} class: the application's Spindle store and queue become a
 * {@link dev.spindle.test.SpindleTestQueue} bean's (the in-memory store on a manual clock), running
 * the application's own tasks ({@code @SpindleTask} methods, {@code Task} and catalog beans,
 * {@code spindle.tasks.catalogs}); its schedules are added to it; the background worker is switched
 * off ({@code spindle.worker.enabled=false}), so jobs run only when the test says so, on its thread.
 * Inject {@code SpindleTestQueue} to assert what was enqueued, run due jobs, drain or move time.
 * Every job is removed after each test method (the context, and so the queue, is shared by tests).
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureSpindleTest
 * class SignupTest {
 *   @Autowired SignupService signups;
 *   @Autowired SpindleTestQueue spindle;
 *
 *   @Test
 *   void sendsTheWelcomeMail() {
 *     signups.signUp("a@example.com");
 *     spindle.assertEnqueued(MailTasks.WELCOME, "a@example.com");
 *   }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration(SpindleTestAutoConfiguration.class)
@TestPropertySource(properties = "spindle.worker.enabled=false")
public @interface AutoConfigureSpindleTest {}
