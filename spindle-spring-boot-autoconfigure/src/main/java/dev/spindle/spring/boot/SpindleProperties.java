package dev.spindle.spring.boot;

import dev.spindle.ExecutionModel;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.MisfirePolicy;
import dev.spindle.spring.EnqueueMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code spindle.*} settings of a Spring Boot application (metadata for IDE completion is
 * generated from this class). Bound once at start-up by Spring; every value is checked when the
 * beans are built, by the same builders that the plain Java API uses, so a wrong value fails the
 * start with a message naming it. Not thread-safe (a JavaBean, as Spring binds it); read only
 * after binding.
 *
 * <pre>
 * spindle.store.location=sqlite:spindle-data/spindle.db
 * spindle.worker.concurrency=4
 * spindle.worker.model=virtual
 * spindle.schedules.nightly.cron=30 2 * * *
 * spindle.schedules.nightly.task=reports.nightly
 * </pre>
 */
@ConfigurationProperties(prefix = "spindle")
public class SpindleProperties {
  /** Whether Spindle is configured at all. */
  private boolean enabled = true;
  /**
   * Whether the start fails when the class path's Jackson is older than the one Spindle was built
   * with (Spring Boot's BOM manages its own Jackson version).
   */
  private boolean jacksonVersionCheck = true;
  private final Store store = new Store();
  private final Queue queue = new Queue();
  private final Tasks tasks = new Tasks();
  private final Enqueue enqueue = new Enqueue();
  private final Worker worker = new Worker();
  /** Recurring schedules by name, added (or updated) in the store at start-up. */
  private final Map<String, ScheduleProperties> schedules = new LinkedHashMap<>();
  private final Dashboard dashboard = new Dashboard();
  private final Health health = new Health();
  private final Metrics metrics = new Metrics();

  /** @return whether Spindle is configured at all (default true) */
  public boolean isEnabled() {
    return enabled;
  }

  /** @param enabled whether Spindle is configured at all */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** @return whether the Jackson version is checked at start-up (default true) */
  public boolean isJacksonVersionCheck() {
    return jacksonVersionCheck;
  }

  /** @param jacksonVersionCheck whether the Jackson version is checked at start-up */
  public void setJacksonVersionCheck(boolean jacksonVersionCheck) {
    this.jacksonVersionCheck = jacksonVersionCheck;
  }

  /** @return the job store settings */
  public Store getStore() {
    return store;
  }

  /** @return the producer-side settings */
  public Queue getQueue() {
    return queue;
  }

  /** @return where tasks come from besides beans */
  public Tasks getTasks() {
    return tasks;
  }

  /** @return how enqueue follows Spring transactions */
  public Enqueue getEnqueue() {
    return enqueue;
  }

  /** @return the worker settings */
  public Worker getWorker() {
    return worker;
  }

  /** @return the recurring schedules by name */
  public Map<String, ScheduleProperties> getSchedules() {
    return schedules;
  }

  /** @return the dashboard settings */
  public Dashboard getDashboard() {
    return dashboard;
  }

  /** @return the health contributor settings */
  public Health getHealth() {
    return health;
  }

  /** @return the metrics settings */
  public Metrics getMetrics() {
    return metrics;
  }

  /** Where jobs are kept. */
  public static class Store {
    /**
     * Store location: sqlite:path/to/file.db (default sqlite:spindle-data/spindle.db, or
     * $SPINDLE_STORE), redis://host:port (add spindle-store-redis), memory:name.
     */
    private @Nullable String location;

    /** @return the location, or null for {@link JobStores#defaultLocation()} */
    public @Nullable String getLocation() {
      return location;
    }

    /** @param location the location */
    public void setLocation(@Nullable String location) {
      this.location = location;
    }

    /** @return the location to open: the configured one or {@link JobStores#defaultLocation()} */
    public String resolvedLocation() {
      return location == null || location.isBlank() ? JobStores.defaultLocation() : location;
    }
  }

  /** The producer side ({@code JobQueue}). */
  public static class Queue {
    /** Queue of jobs enqueued without options. */
    private String defaultQueue = "default";
    /** Largest JSON payload (input or result), in bytes. */
    private int maxPayloadBytes = 1_048_576;

    /** @return the queue of jobs enqueued without options (default {@code default}) */
    public String getDefaultQueue() {
      return defaultQueue;
    }

    /** @param defaultQueue the queue of jobs enqueued without options */
    public void setDefaultQueue(String defaultQueue) {
      this.defaultQueue = defaultQueue;
    }

    /** @return the largest JSON payload in bytes (default 1 MiB) */
    public int getMaxPayloadBytes() {
      return maxPayloadBytes;
    }

    /** @param maxPayloadBytes the largest JSON payload in bytes */
    public void setMaxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
    }
  }

  /**
   * Tasks declared outside beans. The application's allow-list is exactly these catalogs plus its
   * TaskCatalog beans, Task beans and @SpindleTask methods.
   */
  public static class Tasks {
    /** TaskCatalog classes (public, no-argument constructor) whose tasks the application runs. */
    private List<String> catalogs = new ArrayList<>();

    /** @return the catalog class names (default none) */
    public List<String> getCatalogs() {
      return catalogs;
    }

    /** @param catalogs the catalog class names */
    public void setCatalogs(List<String> catalogs) {
      this.catalogs = catalogs;
    }
  }

  /** How {@code SpindleEnqueuer} follows Spring transactions. */
  public static class Enqueue {
    /**
     * AUTO (default): inside the transaction when the store can write through the transaction's
     * JDBC connection, else after commit; AFTER_COMMIT; IMMEDIATE (ignore transactions).
     */
    private EnqueueMode mode = EnqueueMode.AUTO;

    /** @return the mode (default AUTO) */
    public EnqueueMode getMode() {
      return mode;
    }

    /** @param mode the mode */
    public void setMode(EnqueueMode mode) {
      this.mode = mode;
    }
  }

  /** The worker started and stopped with the application context. */
  public static class Worker {
    /** Whether this application runs a worker (false: it only enqueues). */
    private boolean enabled = true;
    /** Queues to consume, in priority order. */
    private List<String> queues = new ArrayList<>(List.of(JobOptions.DEFAULT_QUEUE));
    /** Jobs run at once; default: available processors. */
    private @Nullable Integer concurrency;
    /** Execution model: threads, virtual, sequential or processes (processes needs TaskCatalog classes). */
    private ExecutionModel model = ExecutionModel.THREADS;
    /** Worker name (thread names, spindle status). */
    private String name = "spring";
    /**
     * How long running jobs may finish when the context stops; keep it below
     * spring.lifecycle.timeout-per-shutdown-phase (30s by default).
     */
    private Duration shutdownGrace = Duration.ofSeconds(20);
    /** Lease on claimed jobs: how soon jobs of a dead worker run elsewhere. */
    private Duration leaseDuration = Duration.ofSeconds(10);
    /** How often the lease is renewed and cancel requests are seen. */
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    /** Longest idle wait without a change signal from the store. */
    private Duration pollInterval = Duration.ofSeconds(1);
    /** Whether this worker fires recurring schedules. */
    private boolean runSchedules = true;
    /** Whether this worker reclaims dead workers' jobs and applies retention. */
    private boolean maintenance = true;
    /** The lifecycle phase (stopped before lower phases, e.g. after the web server stopped taking requests). */
    private int phase = Integer.MAX_VALUE - 4096;

    /** @return whether this application runs a worker (default true) */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled whether this application runs a worker */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** @return the queues to consume (default {@code [default]}) */
    public List<String> getQueues() {
      return queues;
    }

    /** @param queues the queues to consume */
    public void setQueues(List<String> queues) {
      this.queues = queues;
    }

    /** @return jobs run at once, or null for the available processors */
    public @Nullable Integer getConcurrency() {
      return concurrency;
    }

    /** @param concurrency jobs run at once */
    public void setConcurrency(@Nullable Integer concurrency) {
      this.concurrency = concurrency;
    }

    /** @return the execution model (default THREADS) */
    public ExecutionModel getModel() {
      return model;
    }

    /** @param model the execution model */
    public void setModel(ExecutionModel model) {
      this.model = model;
    }

    /** @return the worker name (default {@code spring}) */
    public String getName() {
      return name;
    }

    /** @param name the worker name */
    public void setName(String name) {
      this.name = name;
    }

    /** @return the shutdown grace (default 20 s) */
    public Duration getShutdownGrace() {
      return shutdownGrace;
    }

    /** @param shutdownGrace the shutdown grace */
    public void setShutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
    }

    /** @return the lease duration (default 10 s) */
    public Duration getLeaseDuration() {
      return leaseDuration;
    }

    /** @param leaseDuration the lease duration */
    public void setLeaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
    }

    /** @return the heartbeat interval (default 1 s) */
    public Duration getHeartbeatInterval() {
      return heartbeatInterval;
    }

    /** @param heartbeatInterval the heartbeat interval */
    public void setHeartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
    }

    /** @return the poll interval (default 1 s) */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /** @param pollInterval the poll interval */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    /** @return whether schedules are fired here (default true) */
    public boolean isRunSchedules() {
      return runSchedules;
    }

    /** @param runSchedules whether schedules are fired here */
    public void setRunSchedules(boolean runSchedules) {
      this.runSchedules = runSchedules;
    }

    /** @return whether maintenance runs here (default true) */
    public boolean isMaintenance() {
      return maintenance;
    }

    /** @param maintenance whether maintenance runs here */
    public void setMaintenance(boolean maintenance) {
      this.maintenance = maintenance;
    }

    /** @return the lifecycle phase */
    public int getPhase() {
      return phase;
    }

    /** @param phase the lifecycle phase */
    public void setPhase(int phase) {
      this.phase = phase;
    }
  }

  /** One recurring schedule: a task with fixed arguments on a cron expression or an interval. */
  public static class ScheduleProperties {
    /** Cron expression: 5 fields (minute first) or a macro such as @daily; exclusive with every. */
    private @Nullable String cron;
    /** Time zone of the cron expression. */
    private String zone = "UTC";
    /** Fixed interval, e.g. 30s; exclusive with cron. */
    private @Nullable Duration every;
    /** Task name (must be one of the application's declared tasks). */
    private @Nullable String task;
    /** Arguments as JSON. */
    private String args = "null";
    /** Queue of the enqueued jobs; default the task's (its @SpindleTask queue, else spindle.queue.default-queue). */
    private @Nullable String queue;
    /** What happens to ticks missed while no worker ran. */
    private MisfirePolicy misfire = MisfirePolicy.FIRE_ONCE;

    /** @return the cron expression, or null */
    public @Nullable String getCron() {
      return cron;
    }

    /** @param cron the cron expression */
    public void setCron(@Nullable String cron) {
      this.cron = cron;
    }

    /** @return the cron time zone (default UTC) */
    public String getZone() {
      return zone;
    }

    /** @param zone the cron time zone */
    public void setZone(String zone) {
      this.zone = zone;
    }

    /** @return the interval, or null */
    public @Nullable Duration getEvery() {
      return every;
    }

    /** @param every the interval */
    public void setEvery(@Nullable Duration every) {
      this.every = every;
    }

    /** @return the task name */
    public @Nullable String getTask() {
      return task;
    }

    /** @param task the task name */
    public void setTask(@Nullable String task) {
      this.task = task;
    }

    /** @return the arguments as JSON (default {@code null}) */
    public String getArgs() {
      return args;
    }

    /** @param args the arguments as JSON */
    public void setArgs(String args) {
      this.args = args;
    }

    /** @return the queue, or null for the task's queue */
    public @Nullable String getQueue() {
      return queue;
    }

    /** @param queue the queue */
    public void setQueue(@Nullable String queue) {
      this.queue = queue;
    }

    /** @return the misfire policy (default FIRE_ONCE) */
    public MisfirePolicy getMisfire() {
      return misfire;
    }

    /** @param misfire the misfire policy */
    public void setMisfire(MisfirePolicy misfire) {
      this.misfire = misfire;
    }
  }

  /** The web dashboard (module spindle-web) on its own port, behind its own credentials. */
  public static class Dashboard {
    /** Whether to start the dashboard (needs spindle-web on the class path). */
    private boolean enabled = false;
    /** Address to listen on. */
    private String bind = "127.0.0.1";
    /** Port; 0 picks a free one. */
    private int port = 8075;
    /**
     * Users file (one "name role hash" per line); without it the SPINDLE_DASHBOARD_TOKEN or
     * SPINDLE_DASHBOARD_USERS environment variable must be set.
     */
    private @Nullable Path usersFile;
    /**
     * Path to mount the dashboard at inside the application's own servlet server (for example
     * /spindle), behind the application's security, instead of on its own port; bind, port and
     * users-file are then not used.
     */
    private @Nullable String path;
    /** Role (as HttpServletRequest.isUserInRole takes it) that may read the mounted dashboard. */
    private String viewerRole = "SPINDLE_VIEWER";
    /** Role that may read and change (retry, cancel, pause, schedules) in the mounted dashboard. */
    private String operatorRole = "SPINDLE_OPERATOR";

    /** @return the mount path, or null for a dashboard on its own port */
    public @Nullable String getPath() {
      return path;
    }

    /** @param path the mount path, e.g. /spindle */
    public void setPath(@Nullable String path) {
      this.path = path;
    }

    /** @return the role that may read (default SPINDLE_VIEWER) */
    public String getViewerRole() {
      return viewerRole;
    }

    /** @param viewerRole the role that may read */
    public void setViewerRole(String viewerRole) {
      this.viewerRole = viewerRole;
    }

    /** @return the role that may read and change (default SPINDLE_OPERATOR) */
    public String getOperatorRole() {
      return operatorRole;
    }

    /** @param operatorRole the role that may read and change */
    public void setOperatorRole(String operatorRole) {
      this.operatorRole = operatorRole;
    }

    /** @return whether to start the dashboard (default false) */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled whether to start the dashboard */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** @return the bind address (default 127.0.0.1) */
    public String getBind() {
      return bind;
    }

    /** @param bind the bind address */
    public void setBind(String bind) {
      this.bind = bind;
    }

    /** @return the port (default 8075) */
    public int getPort() {
      return port;
    }

    /** @param port the port */
    public void setPort(int port) {
      this.port = port;
    }

    /** @return the users file, or null */
    public @Nullable Path getUsersFile() {
      return usersFile;
    }

    /** @param usersFile the users file */
    public void setUsersFile(@Nullable Path usersFile) {
      this.usersFile = usersFile;
    }
  }

  /** The Actuator health contributor (when Actuator is on the class path). */
  public static class Health {
    /** How long a store probe may take before the store counts as unreachable. */
    private Duration timeout = Duration.ofSeconds(2);

    /** @return the probe timeout (default 2 s) */
    public Duration getTimeout() {
      return timeout;
    }

    /** @param timeout the probe timeout */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** Micrometer metrics. */
  public static class Metrics {
    /** Whether to bind Spindle's metrics to the application's MeterRegistry (needs spindle-metrics). */
    private boolean enabled = true;

    /** @return whether metrics are bound (default true) */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled whether metrics are bound */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
