package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A users file others may read or change, or one owned by another user, is refused with the command
 * that fixes it, as sshd's StrictModes refuses such an authorized_keys file; read through every
 * source of a users file (the file itself and {@code $SPINDLE_DASHBOARD_USERS}).
 */
class UsersFilePermissionsTest {
  @TempDir
  Path dir;

  private Path users(String mode) throws Exception {
    Path f = dir.resolve("users-" + mode);
    Files.write(f, List.of("ci operator " + Credentials.hashToken("ci-token-0123456789")));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void aUsersFileOthersMayReadOrWriteIsRefusedSayingHowToFixIt() throws Exception {
    for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rw-----w-", "rw-rw-rw-")) {
      Path f = users(mode);
      assertThatThrownBy(() -> Credentials.fromFile(f)).as(mode)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("may be read or changed by other users")
          .hasMessageContaining(mode)
          .hasMessageContaining("chmod 600 " + f);
      assertThatThrownBy(() -> Credentials.fromEnvironment(Map.of(Credentials.ENV_USERS_FILE, f.toString())))
          .as(mode).hasMessageContaining("chmod 600 " + f);
    }
    for (String mode : List.of("rw-------", "r--------")) {
      assertThat(Credentials.fromFile(users(mode)).verifyToken("ci-token-0123456789")).as(mode).isPresent();
    }
  }

  @Test
  void aLinkIsJudgedByTheFileItNames() throws Exception {
    Path open = users("rw-r--r--");
    Path link = Files.createSymbolicLink(dir.resolve("link"), open);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    assertThatThrownBy(() -> Credentials.fromFile(link)).hasMessageContaining("chmod 600");
  }

  @Test
  void aUsersFileOwnedByAnotherUserIsRefused() throws Exception {
    Path f = users("rw-------");
    int owner = (Integer) Files.getAttribute(f, "unix:uid");
    UsersFiles.requirePrivate(f, (long) owner);
    // as another user than its owner (giving the file away would take root)
    assertThatThrownBy(() -> UsersFiles.requirePrivate(f, owner + 1L)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is owned by " + Files.getOwner(f).getName())
        .hasMessageContaining("chown " + System.getProperty("user.name") + " " + f);
  }
}
