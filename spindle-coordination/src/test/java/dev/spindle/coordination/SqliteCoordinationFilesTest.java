package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite coordination database gets the job store's file checks: created private, a file another
 * user planted or can write refused (so that user cannot delete a lock's holder row), a missing
 * directory a clear error, and a read creates nothing. Real files, real SQLite.
 */
class SqliteCoordinationFilesTest {
  @TempDir
  Path dir;

  @Test
  void theLockFileIsCreatedPrivate() throws Exception {
    Path f = dir.resolve("locks.db");
    try (Coordinator c = Coordinator.builder().sqlite(f).build()) {
      c.lock("report").tryAcquire().orElseThrow().close();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
  }

  @Test
  void aLockFilePlantedByAnotherUserIsRefused() throws Exception {
    Path f = dir.resolve("planted.db");
    Files.createFile(f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    if ("root".equals(System.getProperty("user.name"))) {
      UserPrincipal nobody = f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(f, nobody);
      assertThatThrownBy(() -> Coordinator.builder().sqlite(f).build()).isInstanceOf(CoordinationException.class)
          .hasMessageContaining(f + " belongs to nobody").hasMessageContaining("can be written by other users");
    } else {
      assertThatThrownBy(() -> Coordinator.builder().sqlite(f).build()).isInstanceOf(CoordinationException.class)
          .hasMessageContaining("can be written by other users");
    }
    assertThat(Files.size(f)).isZero();
  }

  @Test
  void aMissingDirectoryIsAClearErrorAndAReadCreatesNothing() {
    Path f = dir.resolve("missing/locks.db");
    assertThatThrownBy(() -> Coordinator.builder().sqlite(f).build()).isInstanceOf(CoordinationException.class)
        .hasMessage("no directory " + dir.resolve("missing") + " for the coordination database locks.db (nothing was"
            + " created; create it with mkdir -m 700 " + dir.resolve("missing") + ")")
        .hasCauseInstanceOf(StoreException.class);
    assertThat(dir.resolve("missing")).doesNotExist();
    Path g = dir.resolve("absent.db");
    assertThatThrownBy(() -> Coordinator.builder().sqliteExisting(g).build())
        .isInstanceOf(CoordinationException.class).hasMessageContaining("no store at " + g);
    assertThat(g).doesNotExist();
  }
}
