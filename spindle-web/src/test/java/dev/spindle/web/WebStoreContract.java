package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up shared by the dashboard's per-store contracts: a {@link WebFixture} (dashboard and
 * client) over a new, empty store for each test, closed after it. Subclasses name the store.
 */
abstract class WebStoreContract {
  static final String OP = WebFixture.OPERATOR_TOKEN;
  static final String VIEW = WebFixture.VIEWER_TOKEN;

  WebFixture f;

  /** A new, empty store. */
  abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    f = new WebFixture(openStore());
  }

  @AfterEach
  void close() {
    f.close();
  }
}
