package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.NewJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store files another user could have planted or can change are refused (as sshd's StrictModes
 * does), a read-only opening creates nothing, and a store deleted or replaced under a running
 * worker stops it. Real files, real SQLite, a real worker.
 */
class SqliteFileOwnershipTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static UserPrincipal nobody() throws Exception {
    return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }

  private static NewJob job(String args) {
    return new NewJob("t.echo", args, JobOptions.DEFAULT_QUEUE, 0, NOW, null, JobPolicy.defaults(), NOW);
  }

  @Test
  void aStoreFileOthersCanWriteIsRefusedWithTheFix() throws Exception {
    Path f = dir.resolve("planted.db");
    Files.createFile(f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("can be written by other users").hasMessageContaining("chmod 600 " + f);
    assertThat(Files.size(f)).as("left as it was").isZero();
  }

  @Test
  void aStoreFileOfAnotherUserIsRefusedWithTheFix() throws Exception {
    Path f = dir.resolve("theirs.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1")));
    }
    if (root()) {
      Files.setOwner(f, nobody());
      assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
          .hasMessageContaining(f + " belongs to nobody").hasMessageContaining("chown");
      Files.setOwner(f, Files.getOwner(dir));
    } else {
      // not root: another user's file cannot be made here; the same refusal covers a group-writable one
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
      assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
          .hasMessageContaining("can be written by other users");
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(store.find("1")).as("once fixed it opens, jobs intact").isPresent();
    }
  }

  @Test
  void aWalFileOfAnotherUserOrWritableByOthersIsRefused() throws Exception {
    Path f = dir.resolve("side.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1")));
    }
    Path wal = dir.resolve("side.db-wal");
    if (!Files.exists(wal)) {
      Files.createFile(wal, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.setPosixFilePermissions(wal, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining(wal + " can be written by other users");
    Files.setPosixFilePermissions(wal, PosixFilePermissions.fromString("rw-------"));
    if (root()) {
      Files.setOwner(wal, nobody());
      assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
          .hasMessageContaining(wal + " belongs to nobody");
    }
  }

  @Test
  void aDirectoryOthersCanWriteIsRefusedUnlessSticky() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path f = open.resolve("jobs.db");
    assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("its directory " + open + " can be written by other users")
        .hasMessageContaining("chmod go-w " + open);
    if (root()) {
      Path foreign = Files.createDirectory(dir.resolve("foreign"));
      Files.setOwner(foreign, nobody());
      assertThatThrownBy(() -> SqliteJobStore.open(foreign.resolve("jobs.db"))).isInstanceOf(StoreException.class)
          .hasMessageContaining("its directory " + foreign + " belongs to nobody");
    }
    Files.setAttribute(open, "unix:mode", 01777); // like /tmp: others cannot remove or rename our files
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1")));
      assertThat(store.find("1")).isPresent();
    }
  }

  @Test
  void openingAnExistingStoreOnlyCreatesNothing() throws Exception {
    Path f = dir.resolve("missing/dir/jobs.db");
    assertThatThrownBy(() -> JobStores.openExisting("sqlite:" + f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("no store at " + f)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
    assertThat(dir.resolve("missing")).doesNotExist();
    Path empty = Files.createFile(dir.resolve("empty.db"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    assertThatThrownBy(() -> SqliteJobStore.builder(empty).createIfMissing(false).open())
        .isInstanceOf(StoreException.class).hasMessageContaining("no store at");
    assertThat(Files.size(empty)).isZero();
    try (var s = JobStores.open("sqlite:" + f)) {
      s.enqueue(List.of(job("1")));
    }
    try (var s = JobStores.openExisting("sqlite:" + f)) {
      assertThat(s.find("1")).isPresent();
    }
  }

  static final Task<Long, Long> ECHO = Task.of("t.echo", Long.class, Long.class, n -> n);

  @Test
  void aStoreDeletedUnderARunningWorkerStopsItLoudly() throws Exception {
    Path f = dir.resolve("served.db");
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    try (SqliteJobStore store = SqliteJobStore.open(f);
         Worker w = Worker.builder(store).registry(TaskRegistry.builder().add(ECHO).build()).concurrency(1)
             .heartbeatInterval(Duration.ofMillis(50)).onFatal(fatal::set).start()) {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(Path.of(f + suffix));
      }
      // the worker records its failure before it calls the fatal handler: wait for the handler
      await().atMost(Duration.ofSeconds(20)).until(() -> fatal.get() != null);
      assertThat(w.failure()).isPresent();
      assertThat(fatal.get()).isInstanceOf(StoreException.class).hasMessageContaining(f + " was deleted");
      assertThat(((StoreException) fatal.get()).reason()).isEqualTo(StoreException.Reason.REPLACED);
      assertThatThrownBy(() -> store.find("1")).as("no more calls on the old file")
          .isInstanceOf(StoreException.class).hasMessageContaining("was deleted");
    }
  }

  @Test
  void aStoreReplacedUnderARunningWorkerStopsIt() throws Exception {
    Path f = dir.resolve("swapped.db");
    Path other = dir.resolve("other.db");
    try (SqliteJobStore o = SqliteJobStore.open(other)) {
      o.enqueue(List.of(job("1")));
    }
    try (SqliteJobStore store = SqliteJobStore.open(f);
         Worker w = Worker.builder(store).registry(TaskRegistry.builder().add(ECHO).build()).concurrency(1)
             .heartbeatInterval(Duration.ofMillis(50)).start()) {
      Files.move(other, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      await().atMost(Duration.ofSeconds(20)).until(() -> w.failure().isPresent());
      assertThat(w.failure().orElseThrow()).hasMessageContaining(f + " was replaced by another file");
    }
  }
}
