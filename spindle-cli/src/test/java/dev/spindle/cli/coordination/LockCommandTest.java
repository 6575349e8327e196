package dev.spindle.cli.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.Lease;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockCommandTest {
  @TempDir
  Path dir;

  @Test
  void runsTheCommandUnderTheLockWithItsFencingTokenAndReleases() {
    String store = "sqlite:" + dir.resolve("locks.db");
    CliRun first = CliRun.of("lock", "--store", store, "report", "--", "sh", "-c", "echo token=$SPINDLE_FENCING_TOKEN");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("token=1");
    CliRun second = CliRun.of("lock", "--store", store, "report", "--", "sh", "-c", "echo token=$SPINDLE_FENCING_TOKEN; exit 3");
    assertThat(second.code()).isEqualTo(3);
    assertThat(second.out()).contains("token=2");
  }

  @Test
  void aHeldLockIsNotTakenAndTheHoldersAreListed() {
    Path db = dir.resolve("locks.db");
    try (Coordinator c = Coordinator.builder().sqlite(db).build();
        Lease held = c.lock("report").tryAcquire().orElseThrow()) {
      CliRun busy = CliRun.of("lock", "--store", "sqlite:" + db, "--timeout", "200ms", "report", "--", "true");
      assertThat(busy.code()).isEqualTo(LockCommand.NOT_ACQUIRED);
      assertThat(busy.err()).contains("lock report is held");
      CliRun list = CliRun.of("lock", "--store", "sqlite:" + db, "--holders", "report");
      assertThat(list.code()).isZero();
      assertThat(list.out()).contains(held.holderId() + " token " + held.token());
    }
  }

  @Test
  void refusesABadStoreAndAMissingCommand() {
    assertThat(CliRun.of("lock", "--store", "ftp://x", "n", "--", "true").code()).isEqualTo(2);
    assertThat(CliRun.of("lock", "--store", "sqlite:" + dir.resolve("x.db"), "n").err()).contains("give a COMMAND");
  }
}
