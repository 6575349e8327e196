package dev.spindle.store.postgres;

import dev.spindle.testkit.store.DurableStopContract;
import java.nio.file.Path;

/**
 * A worker process frozen with {@code kill -STOP} past its lease, on PostgreSQL; frozen only while
 * it holds no lock on its worker row or its jobs' rows.
 */
class PostgresDurableStopTest extends DurableStopContract {
  @Override
  protected String location(Path dir) throws java.io.IOException {
    return PostgresDurableFaults.location(dir, "durable_stop");
  }

  @Override
  protected boolean frozenOutsideAWrite(String location, String workerId) throws java.sql.SQLException {
    return PostgresDurableFaults.noLockHeld(location, workerId);
  }
}
