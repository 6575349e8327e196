package dev.spindle.test.spring;

import dev.spindle.test.SpindleTestQueue;
import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Empties the {@link SpindleTestQueue} bean of a Spring test context after each test method
 * ({@link SpindleTestQueue#reset()}), since tests share a cached context. Does nothing in a context
 * without one. Registered in {@code META-INF/spring.factories}; stateless and thread-safe.
 */
public final class SpindleTestExecutionListener implements TestExecutionListener, Ordered {
  /** For Spring. */
  public SpindleTestExecutionListener() {}

  @Override
  public void afterTestMethod(TestContext testContext) {
    if (testContext.hasApplicationContext()) {
      testContext.getApplicationContext().getBeanProvider(SpindleTestQueue.class).ifAvailable(SpindleTestQueue::reset);
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 100;
  }
}
