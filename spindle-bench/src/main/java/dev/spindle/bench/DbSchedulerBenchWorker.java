package dev.spindle.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/**
 * A db-scheduler process for {@link PostgresBench}'s comparison: {@code DbSchedulerBenchWorker --url
 * JDBC_URL --user U --password-file F --schema S [--threads 64] [--poll-ms 100]}. Runs the no-op
 * one-time task {@link #NOOP} with lock-and-fetch polling ({@code pollUsingLockAndFetch(0.5, 1.0)},
 * the setting db-scheduler documents for throughput). Prints {@code READY} once started; stops on
 * SIGTERM.
 */
public final class DbSchedulerBenchWorker {
  /** The task: does nothing (measures the scheduler and the database, not the work). */
  static final OneTimeTask<Void> NOOP = Tasks.oneTime("noop").execute((inst, ctx) -> { });

  private DbSchedulerBenchWorker() {}

  private static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  /** A pooled data source on {@code schema}. */
  static HikariDataSource dataSource(String url, String user, String password, String schema, int size) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setPassword(password);
    cfg.setSchema(schema);
    cfg.setMaximumPoolSize(size);
    cfg.setPoolName("db-scheduler");
    return new HikariDataSource(cfg);
  }

  /**
   * Schedules {@code batch} in one transaction, so that all of it becomes visible to the workers at
   * its commit, as Spindle's {@code enqueueAll} does. {@code SchedulerClient.scheduleBatch} on a
   * pooled data source runs one JDBC batch in auto-commit mode, where pgjdbc commits at every sync
   * of its batch: the workers drained about 40 % of 100,000 jobs before the call returned and a
   * drain's clock could start. Here the client gets one connection with auto-commit off (db-scheduler
   * then leaves the transaction to its owner) whose {@code close} is ignored, and this commits.
   */
  static void scheduleInOneTransaction(DataSource ds, List<TaskInstance<?>> batch, Instant at) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      Connection kept = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, m, a) -> {
            if (m.getName().equals("close")) {
              return null;
            }
            try {
              return m.invoke(c, a);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      DataSource one = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
          new Class<?>[] {DataSource.class}, (proxy, m, a) -> {
            if (m.getName().equals("getConnection")) {
              return kept;
            }
            throw new UnsupportedOperationException(m.getName());
          });
      SchedulerClient.Builder.create(one, NOOP).build().scheduleBatch(batch, at);
      // statistics that count the new rows (ANALYZE samples this transaction's own inserts), committed
      // with them: after an autovacuum of the table emptied by the last drain, the planner believed it
      // empty and db-scheduler's lock-and-fetch ran for minutes on a nested loop
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("ANALYZE scheduled_tasks");
      }
      c.commit();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int threads = Integer.parseInt(o.getOrDefault("threads", "64"));
    String password = Files.readString(Path.of(o.get("password-file"))).strip();
    HikariDataSource ds = dataSource(required(o, "url"), required(o, "user"), password, required(o, "schema"), 10);
    Scheduler s = Scheduler.create(ds, NOOP).threads(threads)
        .pollingInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("poll-ms", "100"))))
        .pollUsingLockAndFetch(0.5, 1.0).build();
    s.start();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.stop();
      ds.close();
      done.countDown();
    }));
    System.out.println("READY");
    System.out.flush();
    done.await();
  }
}
