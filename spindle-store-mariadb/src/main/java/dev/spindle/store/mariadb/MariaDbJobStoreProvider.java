package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.jdbc.internal.StoreLocation;
import java.util.List;
import java.util.Map;

/**
 * Opens {@code mariadb://} locations: {@code mariadb://host[:port]/database?user=NAME} (port 3306
 * by default), with optional {@code poll=20ms}, {@code maxConnections=8}, {@code
 * maxPayloadBytes=16MiB}, {@code passwordFile=PATH}, and Connector/J's {@code sslMode}, {@code
 * serverSslCert}, {@code connectTimeout}, {@code socketTimeout}. The password is never part of the
 * location (a location holding one is refused and not repeated in the message): it comes from
 * {@code passwordFile} (its first line), else the environment variable {@code MARIADB_PASSWORD},
 * else the file named by {@code SPINDLE_MARIADB_PASSWORD_FILE}. Stateless.
 */
public final class MariaDbJobStoreProvider implements JobStoreProvider {
  private static final StoreLocation.Server SERVER = new StoreLocation.Server("MariaDB",
      "mariadb://host:3306/database?user=NAME", 3306, "MARIADB_USER", "MARIADB_PASSWORD",
      "SPINDLE_MARIADB_PASSWORD_FILE");
  private static final List<String> KNOWN = List.of("poll", "maxConnections", "maxPayloadBytes", "sslMode",
      "serverSslCert", "connectTimeout", "socketTimeout");

  @Override
  public String scheme() {
    return "mariadb";
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
  public static MariaDbJobStore.Builder builder(String location, Map<String, String> env) {
    return StoreLocation.build(location, SERVER, KNOWN, l -> l.configure(
        MariaDbJobStore.builder(l.host(), l.port(), l.database(), l.user(env)), env, (k, v) -> false));
  }
}
