package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master killed with {@code kill -9} leaves its control socket file behind: {@code spindle ctl}
 * must not count it as a running master ("several masters are running" with one alive).
 * Real unix domain sockets: a live one has a listener, a stale one is a file nobody listens on.
 */
class StaleControlSocketTest {
  @TempDir
  Path run;

  /** A socket file with no listener, as a master killed with kill -9 leaves it. */
  private Path stale(String name) throws Exception {
    Path p = RunDirectory.socketPath(run, name);
    ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    ss.bind(UnixDomainSocketAddress.of(p));
    ss.close(); // closing does not remove the file
    assertThat(p).exists();
    return p;
  }

  @Test
  void aSocketLeftByADeadMasterIsNotARunningMaster() throws Exception {
    stale("dead");
    try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      Path alive = RunDirectory.socketPath(run, "alive");
      live.bind(UnixDomainSocketAddress.of(alive));
      assertThat(ControlClient.find(run, null).socket()).isEqualTo(alive);
      assertThatThrownBy(() -> ControlClient.find(run, "dead")).isInstanceOf(ControlException.class)
          .hasMessageContaining("left over from a master that died");
    }
  }

  @Test
  void onlyStaleSocketsMeanNoMasterIsRunning() throws Exception {
    stale("a");
    stale("b");
    assertThatThrownBy(() -> ControlClient.find(run, null)).isInstanceOf(ControlException.class)
        .hasMessageContaining("no master is running").hasMessageContaining("2 left over from masters that died");
    assertThat(Files.list(run).count()).as("the files are left for the next master to replace").isEqualTo(2);
  }
}
