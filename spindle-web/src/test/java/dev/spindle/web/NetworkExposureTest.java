package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the standalone dashboard exposes to the network: only the host names it serves (a DNS
 * rebinding page names its own host and gets 421, before even the login page), and plain HTTP on a
 * non-loopback address only when acknowledged. Over real sockets, against a real server on SQLite.
 */
class NetworkExposureTest {
  @TempDir
  Path dir;

  /** One HTTP/1.1 request with the given Host header, over a raw socket (HttpClient sets its own Host). */
  static String rawGet(int port, String path, String host, String extraHeaders) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders + "Connection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  @Test
  void aRequestNamingAHostTheDashboardDoesNotServeGets421BeforeAnyPage() throws IOException {
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
    try (WebFixture f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store))
        .allowedHosts(List.of("spindle.example.org")))) {
      int port = f.dashboard.port();
      String bearer = "Authorization: Bearer " + WebFixture.VIEWER_TOKEN + "\r\n";
      for (String path : List.of("/login", "/", "/api/v1/status", "/assets/app.js", "/api/v1/events")) {
        String r = rawGet(port, path, "rebind.attacker.example:" + port, bearer);
        assertThat(status(r)).as(path + ": " + r).isEqualTo(421);
        assertThat(r).contains("rebind.attacker.example", "--allowed-host").doesNotContain("csrf-token");
      }
      assertThat(status(rawGet(port, "/login", "localhost.attacker.example", ""))).isEqualTo(421);
      assertThat(status(rawGet(port, "/login", "127.0.0.1.nip.io:" + port, ""))).isEqualTo(421);
      // served: IP addresses, localhost, the names allowed (case ignored), with or without a port
      for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LocalHost",
          "[::1]:" + port, "spindle.example.org", "Spindle.Example.Org:443")) {
        String r = rawGet(port, "/api/v1/status", host, bearer);
        assertThat(status(r)).as(host + ": " + r).isEqualTo(200);
      }
      assertThat(status(rawGet(port, "/login", "localhost:" + port, ""))).isEqualTo(200);
    }
  }

  @Test
  void aBadAllowedHostNameIsRefusedWhenGiven() {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
      assertThatThrownBy(() -> Dashboard.builder(store).allowedHosts(List.of("evil.example/x")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a host name");
    }
  }

  @Test
  void plainHttpOnANetworkAddressIsRefusedUnlessAcknowledged() {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
      for (String bind : List.of("0.0.0.0", "::")) {
        assertThatThrownBy(() -> Dashboard.builder(store).bind(bind).port(0).build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("plain HTTP on " + bind)
            .hasMessageContaining("not a loopback address")
            .hasMessageContaining("--insecure-http-on-network");
      }
      try (Dashboard d = WebFixture.configure(Dashboard.builder(store)).bind("0.0.0.0").insecureHttpOnNetwork(true)
          .build().start()) {
        assertThat(d.port()).isPositive();
      }
      try (Dashboard d = WebFixture.configure(Dashboard.builder(store)).bind("localhost").build().start()) {
        assertThat(d.port()).as("a loopback name needs no acknowledgement").isPositive();
      }
    }
  }
}
