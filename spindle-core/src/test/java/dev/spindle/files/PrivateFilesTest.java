package dev.spindle.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir Path tmp;

  private static Set<PosixFilePermission> mode(Path p) throws Exception {
    return Files.getPosixFilePermissions(p);
  }

  @Test
  void createsDirectoriesAndFilesForTheOwnerOnly() throws Exception {
    Path dir = PrivateFiles.createDirectories(tmp.resolve("a/b"));
    assertThat(mode(tmp.resolve("a"))).isEqualTo(PrivateFiles.DIRECTORY_MODE);
    assertThat(mode(dir)).isEqualTo(PrivateFiles.DIRECTORY_MODE);
    Path f = dir.resolve("f");
    PrivateFiles.createFile(f);
    assertThat(mode(f)).isEqualTo(PrivateFiles.FILE_MODE);
    assertThatThrownBy(() -> PrivateFiles.createFile(f)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(mode(PrivateFiles.createTempFile(dir, "t", ".tmp"))).isEqualTo(PrivateFiles.FILE_MODE);
    assertThat(mode(PrivateFiles.createTempDirectory(dir, "d-"))).isEqualTo(PrivateFiles.DIRECTORY_MODE);
  }

  @Test
  void aDirectoryCreatedOrFoundKeepsTheCallersCheckToTheCaller() throws Exception {
    Path d = tmp.resolve("run");
    PrivateFiles.createDirectory(d);
    assertThat(mode(d)).isEqualTo(PrivateFiles.DIRECTORY_MODE);
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    PrivateFiles.createDirectory(d); // already there: left as it is
    assertThat(mode(d)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void restrictClosesAFileToOthers() throws Exception {
    Path f = Files.createFile(tmp.resolve("sock"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-rw-rw-")));
    PrivateFiles.restrict(f);
    assertThat(mode(f)).isEqualTo(PrivateFiles.FILE_MODE);
  }

  @Test
  void grantedToOthersIsEveryGroupAndOthersPermission() {
    assertThat(PrivateFiles.grantedToOthers(PosixFilePermissions.fromString("rwx--x-w-"))).containsExactlyInAnyOrder(
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_WRITE);
    assertThat(PrivateFiles.grantedToOthers(PrivateFiles.DIRECTORY_MODE)).isEmpty();
  }

  @Test
  void ownershipIsComparedByUserId() throws Exception {
    Path f = Files.createFile(tmp.resolve("mine"));
    int owner = (Integer) Files.getAttribute(f, "unix:uid");
    assertThat(PrivateFiles.currentUid()).isEqualTo((long) owner);
    assertThat(PrivateFiles.isOwnedBy(f, (long) owner)).isTrue();
    assertThat(PrivateFiles.isOwnedBy(f, owner + 1L)).isFalse();
    assertThat(PrivateFiles.isOwnedBy(f, null)).as("by name").isTrue();
  }

  @Test
  void inspectFindsNothingWrongWithPrivateFilesAndSkipsMissingOnes() throws Exception {
    Path dir = PrivateFiles.createDirectories(tmp.resolve("store"));
    Path f = dir.resolve("x.db");
    PrivateFiles.createFile(f);
    PrivateFiles.Findings found = PrivateFiles.inspect(dir, List.of(f, dir.resolve("x.db-wal")));
    assertThat(found.problems()).isEmpty();
    assertThat(found.readable()).isEmpty();
  }

  @Test
  void inspectNamesWhatOthersCanWriteOrReadWithTheFix() throws Exception {
    Path dir = PrivateFiles.createDirectories(tmp.resolve("open"));
    Path f = dir.resolve("x.db");
    PrivateFiles.createFile(f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    PrivateFiles.Findings found = PrivateFiles.inspect(dir, List.of(f));
    assertThat(found.problems()).containsExactly(
        "its directory " + dir + " can be written by other users, who could replace or remove what is in it (run"
            + " chmod go-w " + dir + ", or chmod 700 " + dir + ")",
        f + " can be written by other users (run chmod 600 " + f + ")");
    assertThat(found.readable()).containsExactly(f);
  }

  @Test
  void aStickyDirectoryOthersCanWriteIsAccepted() throws Exception {
    Path dir = PrivateFiles.createDirectories(tmp.resolve("sticky"));
    Files.setAttribute(dir, "unix:mode", 01777);
    assertThat(PrivateFiles.inspect(dir, List.of()).problems()).isEmpty();
  }

  @Test
  void inspectRefusesAFileOfAnotherUser() throws Exception {
    Path dir = PrivateFiles.createDirectories(tmp.resolve("theirs"));
    Path f = dir.resolve("x.db");
    PrivateFiles.createFile(f);
    long me = Objects.requireNonNull(PrivateFiles.currentUid());
    if (me != 0L) {
      // only root can give a file away; another user id stands in for it
      assertThat(PrivateFiles.isOwnedBy(f, me + 1)).isFalse();
      return;
    }
    UserPrincipal nobody = f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(f, nobody);
    assertThat(PrivateFiles.inspect(dir, List.of(f)).problems()).singleElement().asString()
        .startsWith(f + " belongs to nobody, not to " + PrivateFiles.userName())
        .contains("chown " + PrivateFiles.userName() + " " + f);
  }
}
