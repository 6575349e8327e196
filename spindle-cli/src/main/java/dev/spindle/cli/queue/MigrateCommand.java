package dev.spindle.cli.queue;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.jdbc.SchemaStatus;
import dev.spindle.store.jdbc.ServerStoreBuilder;
import dev.spindle.store.mariadb.MariaDbJobStoreProvider;
import dev.spindle.store.postgres.PostgresJobStoreProvider;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./spindle migrate}: brings a store's schema to this Spindle's version without starting a
 * worker, or with {@code --print} shows the statements it would run on a PostgreSQL or MariaDB
 * store (nothing changed).
 * Stores migrate on open anyway; this runs it as a deployment step.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Migrates the store's schema to this Spindle's version (or, with --print, shows the"
        + " PostgreSQL or MariaDB statements without running them). A schema newer than this Spindle is"
        + " refused.",
        "Example: PGPASSWORD=... ./spindle migrate --store 'postgres://db/app?user=spindle' --print"})
public final class MigrateCommand implements Callable<Integer> {
  @Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Option(names = "--print", description = "print the pending statements (PostgreSQL, MariaDB) instead of running them")
  boolean print;

  @Override
  public Integer call() {
    try {
      ServerStoreBuilder<?> server = serverBuilder(store.location());
      SchemaStatus before = server == null ? null : server.schemaStatus();
      if (print) {
        if (before == null) {
          System.err.println("spindle migrate: --print is for PostgreSQL and MariaDB stores; SQLite and Redis"
              + " stores migrate on open (run without --print)");
          return 2;
        }
        System.out.println("-- " + before.describe() + ": schema version " + before.found() + ", this Spindle writes "
            + before.current() + (before.found() > before.current() ? " (newer: it would be refused)" : ""));
        before.pending().forEach(sql -> System.out.println(sql.startsWith("--") ? sql : sql + ";"));
        return 0;
      }
      try (StoreBackend s = store.open()) {
        if (before == null) {
          System.out.println(s.describe() + ": schema current (migrated on open if it was older)");
        } else if (before.found() == before.current()) {
          System.out.println(before.describe() + ": schema version " + before.current() + ", nothing to do");
        } else {
          System.out.println(before.describe() + ": schema migrated from version " + before.found() + " to "
              + before.current());
        }
      }
      return 0;
    } catch (RuntimeException e) {
      return QueueSupport.fail("migrate", e);
    }
  }

  /** The builder of a server database's location, or null for stores that have no separate schema read. */
  private static @Nullable ServerStoreBuilder<?> serverBuilder(String location) {
    if (location.startsWith("postgres://") || location.startsWith("postgresql://")) {
      return PostgresJobStoreProvider.builder(location, System.getenv());
    }
    return location.startsWith("mariadb://") ? MariaDbJobStoreProvider.builder(location, System.getenv()) : null;
  }
}
