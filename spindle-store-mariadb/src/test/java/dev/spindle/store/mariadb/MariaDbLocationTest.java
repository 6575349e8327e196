package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mariadb://} locations: parsing, credentials from a file or the environment, no secrets shown. */
class MariaDbLocationTest {
  @TempDir
  Path dir;

  @Test
  void aPasswordInTheLocationIsRefusedAndNeverShown() {
    for (String location : List.of("mariadb://u:s3cr3t@h/db", "mariadb://h/db?user=u&password=s3cr3t",
        "mariadb://u:p4ss?s3cr3t@h/db", "mariadb://u:123/db?s3cr3t@h")) {
      assertThatThrownBy(() -> MariaDbJobStoreProvider.builder(location, Map.of())).as(location)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MARIADB_PASSWORD")
          .satisfies(e -> {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain("s3cr3t").doesNotContain("p4ss");
          });
    }
  }

  @Test
  void malformedLocationsSayWhatIsWrong() {
    assertThatThrownBy(() -> MariaDbJobStoreProvider.builder("mariadb://h:3306/?user=u", Map.of()))
        .hasMessageContaining("no database");
    assertThatThrownBy(() -> MariaDbJobStoreProvider.builder("mariadb://h:port/db", Map.of()))
        .hasMessageContaining("port");
    assertThatThrownBy(() -> MariaDbJobStoreProvider.builder("mariadb://h/db?colour=blue", Map.of()))
        .hasMessageContaining("unknown parameter 'colour'");
    assertThatThrownBy(() -> MariaDbJobStoreProvider.builder("mariadb://h/db;drop", Map.of()))
        .hasMessageContaining("plain name");
  }

  @Test
  void theStoreOpensWithThePasswordFromAFileAndNeverShowsIt() throws Exception {
    MariaDbServer db = MariaDbServer.shared();
    Path pw = Files.writeString(dir.resolve("pw"), db.password() + "\n");
    String name = db.newDatabase("loc");
    String location = "mariadb://" + db.host() + ":" + db.port() + "/" + name + "?user=" + db.user()
        + "&sslMode=disable&passwordFile=" + pw;
    try (StoreBackend store = JobStores.open(location)) {
      assertThat(store.describe()).isEqualTo("mariadb://" + db.host() + ":" + db.port() + "/" + name)
          .doesNotContain(db.password());
      assertThat(store.toString()).doesNotContain(db.password());
      assertThat(store.inspector().queueSummaries()).isEmpty();
    }
  }

  @Test
  void aWrongPasswordFailsToOpenWithoutEchoingIt() {
    MariaDbServer db = MariaDbServer.shared();
    String location = "mariadb://" + db.host() + ":" + db.port() + "/" + MariaDbServer.DATABASE + "?user=" + db.user()
        + "&sslMode=disable";
    assertThatThrownBy(() -> MariaDbJobStoreProvider.builder(location, Map.of("MARIADB_PASSWORD", "wrong-pw-123"))
        .open()).hasMessageContaining("cannot connect").hasMessageNotContaining("wrong-pw-123");
  }
}
