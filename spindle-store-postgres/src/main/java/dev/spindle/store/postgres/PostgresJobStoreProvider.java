package dev.spindle.store.postgres;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.jdbc.internal.StoreLocation;
import java.util.List;
import java.util.Map;

/**
 * Opens {@code postgres://} locations: {@code postgres://host[:port]/database?user=NAME} (port
 * 5432 by default; {@code user} may also come before the host as {@code NAME@host}), with optional
 * parameters {@code schema=NAME} (the tables' schema, created if missing), {@code notify=on|off}
 * (LISTEN/NOTIFY wake-ups; off behind PgBouncer transaction pooling), {@code poll=1s} (the
 * fallback poll), {@code maxConnections=8}, {@code maxPayloadBytes=16MiB}, {@code archiveAfter=0}
 * (finished jobs move to the partitioned history after this; 0: successes move in their completing
 * statement; {@code off} keeps them in the hot table),
 * {@code passwordFile=PATH}, and pgjdbc's {@code sslmode}, {@code sslrootcert},
 * {@code connectTimeout}, {@code socketTimeout}, {@code options}.
 *
 * <p>The password is never part of the location (a location with {@code user:password@} is
 * refused, so it cannot end up in shell history, process lists or logs): it comes from the file
 * named by {@code passwordFile} (its first line), else the environment variable
 * {@code PGPASSWORD}, else the file named by {@code SPINDLE_PG_PASSWORD_FILE}. Example:
 * {@code PGPASSWORD=... ./spindle worker --store postgres://db.internal/app?user=spindle}.
 */
public class PostgresJobStoreProvider implements JobStoreProvider {
  private static final StoreLocation.Server SERVER = new StoreLocation.Server("PostgreSQL",
      "postgres://host:5432/database?user=NAME", 5432, "PGUSER", "PGPASSWORD", "SPINDLE_PG_PASSWORD_FILE");
  private static final List<String> KNOWN = List.of("schema", "notify", "poll", "maxConnections", "maxPayloadBytes",
      "archiveAfter", "sslmode", "sslrootcert", "sslcert", "sslkey", "connectTimeout", "socketTimeout", "options",
      "targetServerType", "tcpKeepAlive");

  @Override
  public String scheme() {
    return "postgres";
  }

  @Override
  public StoreBackend open(String location) {
    return builder(location, System.getenv()).open();
  }

  /**
   * The builder a location describes, with the password from {@code env}.
   *
   * @throws IllegalArgumentException if the location is malformed or holds a password
   */
  public static PostgresJobStore.Builder builder(String location, Map<String, String> env) {
    return StoreLocation.build(location, SERVER, KNOWN, l -> {
      PostgresJobStore.Builder b = PostgresJobStore.builder(l.host(), l.port(), l.database(), l.user(env));
      return l.configure(b, env, (k, v) -> {
        switch (k) {
          case "schema" -> b.schema(v);
          case "notify" -> b.listenNotify(StoreLocation.onOff(k, v));
          case "archiveAfter" -> b.archiveAfter(v.equals("off") ? null : StoreLocation.duration(k, v));
          default -> {
            return false;
          }
        }
        return true;
      });
    });
  }
}
