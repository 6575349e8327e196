package dev.spindle.store.sqlite;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.testkit.ExecutorContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor contract on the DISTRIBUTED model: every submission is a job in a SQLite file, run by
 * the executor's embedded worker, so the same tasks give the same results as on the local models.
 */
class DistributedOnSqliteContractTest extends ExecutorContract {
  @TempDir
  Path dir;
  private int n;

  @Override
  protected ExecutionModel model() {
    return ExecutionModel.DISTRIBUTED;
  }

  @Override
  protected ExecutorConfig.Builder configure(ExecutorConfig.Builder builder) {
    return builder.with(DistributedOptions.builder().storeLocation("sqlite:" + dir.resolve("dist-" + (n++) + ".db"))
        .build());
  }

  @Override
  protected boolean supportsExecutorService() {
    return false;
  }
}
