package dev.spindle.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a method of a Spring bean as a Spindle task, so that the application's worker may run
 * it and the application may enqueue it by name. Only declared tasks run: the application's task
 * registry (its allow-list) holds exactly the methods annotated so, the {@link dev.spindle.Task}
 * beans and the tasks of {@link dev.spindle.TaskCatalog} beans; a job naming anything else is
 * refused at enqueue and dead-lettered by the worker.
 *
 * <p>The method takes the input (any JSON type, generics included), optionally followed by the
 * {@link dev.spindle.TaskContext}, or no parameter at all (input {@code null}); it returns the
 * output (JSON) or {@code void}. It is called on the bean as Spring exposes it (through its
 * proxy, so {@code @Transactional} applies), on a worker thread; the bean is looked up when the
 * first job runs, so it may itself inject the job queue.
 *
 * <pre>{@code
 * @Component
 * class Mailer {
 *   @SpindleTask("mail.welcome")
 *   void sendWelcome(WelcomeMail mail) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SpindleTask {
  /** The task name: 1-200 letters, digits and {@code . _ - : /}; unique in the application. */
  String value();
}
