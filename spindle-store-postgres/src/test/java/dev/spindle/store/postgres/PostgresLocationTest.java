package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code postgres://} and {@code postgresql://} locations: parsing, credentials, no secrets shown. */
class PostgresLocationTest {
  @TempDir
  Path dir;

  @Test
  void aPasswordInTheLocationIsRefused() {
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder("postgres://u:secret@h/db", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PGPASSWORD")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder("postgres://h/db?user=u&password=secret", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
  }

  @Test
  void aPasswordThatLooksLikeAQueryIsNeverShown() {
    // unencoded, '?' ends the host part: the password's rest is read as parameters
    for (String location : List.of("postgres://u:p4ss?s3cr3t@h/db", "postgres://u:123?s3cr3t@h/db",
        "postgres://u:123/db?s3cr3t@h", "postgres://u:123/db?s3cr3t=x@h", "postgres://u:123/db?schema=s3cr3t-@h")) {
      assertThatThrownBy(() -> PostgresJobStoreProvider.builder(location, Map.of())).as(location)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PGPASSWORD")
          .satisfies(e -> {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain("s3cr3t").doesNotContain("p4ss");
          });
    }
  }

  @Test
  void malformedLocationsSayWhatIsWrong() {
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder("postgres://h:5432/?user=u", Map.of()))
        .hasMessageContaining("no database");
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder("postgres://h:port/db", Map.of()))
        .hasMessageContaining("port");
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder("postgres://h/db?colour=blue", Map.of()))
        .hasMessageContaining("unknown parameter 'colour'");
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder("postgres://h/db?notify=maybe", Map.of()))
        .hasMessageContaining("on or off");
  }

  @Test
  void bothSchemesOpenTheStoreWithThePasswordFromAFileAndNeverShowIt() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    Path pw = Files.writeString(dir.resolve("pw"), pg.password() + "\n");
    for (String scheme : new String[] {"postgres", "postgresql"}) {
      String schema = PostgresServer.newSchema("loc");
      String location = scheme + "://" + pg.host() + ":" + pg.port() + "/postgres?user=" + pg.user() + "&schema="
          + schema + "&notify=off&passwordFile=" + pw;
      try (StoreBackend store = JobStores.open(location)) {
        assertThat(store.describe()).isEqualTo("postgres://" + pg.host() + ":" + pg.port() + "/postgres?schema="
            + schema).doesNotContain(pg.password());
        assertThat(store.toString()).doesNotContain(pg.password());
        assertThat(store.inspector().queueSummaries()).isEmpty();
      }
    }
  }

  @Test
  void aWrongPasswordFailsToOpenWithoutEchoingIt() {
    PostgresServer pg = PostgresServer.shared();
    assertThatThrownBy(() -> PostgresJobStoreProvider.builder(pg.location(), Map.of("PGPASSWORD", "wrong-pw-123"))
        .open()).hasMessageContaining("cannot connect").hasMessageNotContaining("wrong-pw-123");
  }
}
