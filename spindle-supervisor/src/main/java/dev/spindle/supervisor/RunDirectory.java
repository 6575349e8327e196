package dev.spindle.supervisor;

import dev.spindle.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where masters put their control sockets: a directory only the current user may enter (mode
 * 0700), so only that user can reach a master. {@code $XDG_RUNTIME_DIR/spindle} when
 * {@code XDG_RUNTIME_DIR} is set (systemd's per-user tmpfs), else {@code ~/.spindle/run}.
 * Stateless and thread-safe.
 */
public final class RunDirectory {
  /** Socket file suffix. */
  public static final String SUFFIX = ".sock";

  /** sun_path is 108 bytes including the terminating NUL. */
  private static final int MAX_SOCKET_PATH = 107;

  private RunDirectory() {}

  /** The default directory (not created). */
  public static Path defaultPath() {
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isBlank()) {
      Path p = Path.of(xdg);
      if (p.isAbsolute() && Files.isDirectory(p)) {
        return p.resolve("spindle");
      }
    }
    return Path.of(System.getProperty("user.home"), ".spindle", "run");
  }

  /**
   * Creates the directory with mode 0700 if missing (parents as needed), or checks an existing one:
   * it must be a real directory (not a link), owned by the current user, with mode exactly 0700.
   *
   * @return the directory's absolute path
   * @throws IOException if it cannot be created, or is unsafe (the message says how to fix it)
   */
  public static Path ensure(Path dir) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    if (!Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(d.getParent());
      PrivateFiles.createDirectory(d); // one created concurrently is checked below
    }
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(d + " is not a directory (or is a symbolic link); remove it or choose another run directory");
    }
    if (!PrivateFiles.isOwnedBy(d, PrivateFiles.currentUid(), LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(d + " belongs to " + Files.getOwner(d, LinkOption.NOFOLLOW_LINKS).getName() + ", not to "
          + PrivateFiles.userName() + "; control sockets must live in a directory of their user");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS);
    if (!perms.equals(PrivateFiles.DIRECTORY_MODE)) {
      throw new IOException(d + " has mode " + PosixFilePermissions.toString(perms) + "; it must be rwx------ "
          + "(chmod 700 " + d + ") so that only its owner can reach the control sockets");
    }
    return d;
  }

  /**
   * The socket path of the master {@code name} in {@code dir}.
   *
   * @throws IllegalArgumentException if the path is too long for a unix domain socket (107 bytes)
   */
  public static Path socketPath(Path dir, String name) {
    Path p = dir.toAbsolutePath().normalize().resolve(name + SUFFIX);
    if (p.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException("socket path " + p + " is longer than " + MAX_SOCKET_PATH
          + " bytes, the limit of unix domain sockets; choose a shorter run directory");
    }
    return p;
  }

  /** The socket files in {@code dir} (masters that run, or died without cleaning up), sorted. */
  public static List<Path> sockets(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      ds.forEach(out::add);
    }
    out.sort(null);
    return out;
  }
}
