package dev.spindle.store.mariadb;

import dev.spindle.testkit.store.DurableStopContract;
import java.nio.file.Path;

/**
 * A worker process frozen with {@code kill -STOP} past its lease, on MariaDB; frozen only while it
 * holds no lock on its worker row or its jobs' rows.
 */
class MariaDbDurableStopTest extends DurableStopContract {
  @Override
  protected String location(Path dir) throws java.io.IOException {
    return MariaDbDurableFaults.location(dir, "durable_stop");
  }

  @Override
  protected boolean frozenOutsideAWrite(String location, String workerId) throws java.sql.SQLException {
    return MariaDbDurableFaults.noLockHeld(location, workerId);
  }
}
