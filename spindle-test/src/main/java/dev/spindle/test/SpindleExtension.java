package dev.spindle.test;

import dev.spindle.TaskRegistry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A JUnit 5 extension that injects a fresh {@link SpindleTestQueue} into each test method (and its
 * {@code @BeforeEach}/{@code @AfterEach} methods, which see the same one) and closes it after the
 * test. Thread-safe: tests running in parallel each get their own queue.
 *
 * <p>Declaratively, {@link SpindleTest @SpindleTest(catalogs = ...)} or
 * {@code @ExtendWith(SpindleExtension.class)} (the catalogs then come from {@code @SpindleTest} if
 * present, else from {@code META-INF/services/dev.spindle.TaskCatalog}). Programmatically, with a
 * registry or any settings:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SpindleExtension SPINDLE = SpindleExtension.with(() -> SpindleTestQueue.builder().registry(TASKS));
 * }</pre>
 */
public final class SpindleExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SpindleExtension.class);
  private static final String KEY = "queue";

  private final Optional<Supplier<SpindleTestQueue.Builder>> settings;

  /** The declarative form: settings from {@link SpindleTest} or the service-listed catalogs. */
  public SpindleExtension() {
    this.settings = Optional.empty();
  }

  private SpindleExtension(Supplier<SpindleTestQueue.Builder> settings) {
    this.settings = Optional.of(settings);
  }

  /**
   * An extension whose queues are built from a fresh builder from {@code settings} for each test.
   *
   * @param settings makes the builder of each test's queue
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static SpindleExtension with(Supplier<SpindleTestQueue.Builder> settings) {
    return new SpindleExtension(Objects.requireNonNull(settings, "settings"));
  }

  /**
   * An extension whose queues run the tasks of {@code registry}.
   *
   * @param registry the tasks
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static SpindleExtension of(TaskRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    return with(() -> SpindleTestQueue.builder().registry(registry));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SpindleTestQueue.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException("a SpindleTestQueue is given to test methods and their @BeforeEach and"
          + " @AfterEach methods, one per test; for a class-wide one, build it with SpindleTestQueue.builder()");
    }
    return context.getStore(NAMESPACE).computeIfAbsent(KEY, k -> create(context), SpindleTestQueue.class);
  }

  private SpindleTestQueue create(ExtensionContext context) {
    if (settings.isPresent()) {
      return settings.get().get().build();
    }
    Optional<SpindleTest> a = context.getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, SpindleTest.class));
    SpindleTestQueue.Builder b = SpindleTestQueue.builder();
    if (a.isPresent() && a.get().catalogs().length > 0) {
      b.registry(TaskRegistry.of(a.get().catalogs()));
    } else {
      b.registry(TaskRegistry.discover());
    }
    if (a.isPresent()) {
      try {
        b.start(Instant.parse(a.get().start()));
      } catch (DateTimeParseException e) {
        throw new ParameterResolutionException("@SpindleTest(start = \"" + a.get().start() + "\") is not an ISO-8601"
            + " instant such as 2030-01-01T00:00:00Z", e);
      }
    }
    return b.build();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    SpindleTestQueue q = context.getStore(NAMESPACE).remove(KEY, SpindleTestQueue.class);
    if (q != null) {
      q.close();
    }
  }
}
