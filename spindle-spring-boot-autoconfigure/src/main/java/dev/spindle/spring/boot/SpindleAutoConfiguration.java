package dev.spindle.spring.boot;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobListener;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spring.SpindleEnqueuer;
import dev.spindle.spring.SpindleTaskOptions;
import dev.spindle.spring.SpindleWorker;
import dev.spindle.spring.internal.JacksonVersions;
import dev.spindle.spring.internal.JdbcStoreEnqueue;
import dev.spindle.spring.internal.SpindleTasksRegistrar;
import dev.spindle.spring.internal.SpringTasks;
import dev.spindle.spring.spi.TransactionalEnqueue;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configures Spindle in a Spring Boot application from {@link SpindleProperties}: the
 * {@link JobStore} (closed with the context), the application's {@link TaskRegistry} (its
 * allow-list: catalogs from {@code spindle.tasks.catalogs}, {@code TaskCatalog} and {@code Task}
 * beans, {@code @SpindleTask} methods), the {@link JobQueue}, the transaction-aware
 * {@link SpindleEnqueuer}, the schedules of {@code spindle.schedules.*} and {@link Schedule} beans,
 * and a {@link SpindleWorker} started and stopped with the context unless
 * {@code spindle.worker.enabled=false}. Every bean backs off when the application defines its own.
 * Switched off by {@code spindle.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(JobQueue.class)
@ConditionalOnBooleanProperty(name = "spindle.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SpindleProperties.class)
public class SpindleAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(SpindleAutoConfiguration.class);

  /** For Spring. */
  public SpindleAutoConfiguration() {}

  /**
   * The store at {@code spindle.store.location}: both its hot path ({@link JobStore}, for the queue
   * and the worker) and its operators' side ({@link StoreAdmin}, for the dashboard and metrics).
   *
   * @param properties the settings
   * @return the open store
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(JobStore.class)
  public StoreBackend spindleJobStore(SpindleProperties properties) {
    try {
      return JobStores.open(properties.getStore().resolvedLocation());
    } catch (IllegalArgumentException e) {
      // The property's name, and the store's own message (which never echoes credentials).
      throw new IllegalArgumentException("spindle.store.location: " + e.getMessage(), e);
    }
  }

  /**
   * The application's tasks, exactly those it declares.
   *
   * @param beans the bean factory, searched for task declarations
   * @param properties the settings
   * @return the registry
   */
  @Bean
  @ConditionalOnMissingBean
  public TaskRegistry spindleTaskRegistry(ConfigurableListableBeanFactory beans, SpindleProperties properties) {
    TaskRegistry r = SpringTasks.build(beans, properties.getTasks().getCatalogs(), properties.getWorker().getModel());
    LOG.info("Spindle tasks: {}", r.names().isEmpty() ? "none declared" : String.join(", ", r.names()));
    return r;
  }

  /**
   * The declarations of {@code @SpindleTask} and {@code @SpindleSchedule} methods (checked when the
   * task registry is built).
   *
   * @param beans the bean factory, searched for annotated methods
   * @return the declarations
   */
  @Bean
  public SpindleTaskDeclarations spindleTaskDeclarations(ConfigurableListableBeanFactory beans) {
    return new SpindleTaskDeclarations(SpringTasks.declarations(beans));
  }

  /**
   * The queue client (the store stays open when it closes).
   *
   * @param store the store
   * @param registry the allow-list checked at enqueue
   * @param listeners job listeners of the application
   * @param observer the metrics hook (from {@code SpindleMetricsAutoConfiguration}), if any; the
   *     worker inherits it
   * @param properties the settings
   * @return the queue
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public JobQueue spindleJobQueue(JobStore store, TaskRegistry registry, ObjectProvider<JobListener> listeners,
      ObjectProvider<JobObserver> observer, SpindleProperties properties) {
    if (properties.isJacksonVersionCheck()) {
      JacksonVersions.problem(JacksonVersions.builtWith(), JacksonVersions.core(), JacksonVersions.databind())
          .ifPresent(p -> {
            throw new IllegalStateException(p);
          });
    }
    JobQueue.Builder b = JobQueue.builder(store).registry(registry).name("spring")
        .maxPayloadBytes(properties.getQueue().getMaxPayloadBytes())
        .defaults(JobOptions.builder().queue(properties.getQueue().getDefaultQueue()).build());
    listeners.orderedStream().forEach(b::listener);
    observer.ifUnique(b::observer);
    return b.build();
  }

  /**
   * Enqueue with the caller's transaction.
   *
   * @param queue the queue
   * @param extensions stores writing inside JDBC transactions
   * @param dataSources the application's data sources
   * @param properties the settings
   * @param beans the bean factory (its class loader)
   * @return the enqueuer
   */
  @Bean
  @ConditionalOnMissingBean
  public SpindleEnqueuer spindleEnqueuer(JobQueue queue, ObjectProvider<TransactionalEnqueue> extensions,
      ObjectProvider<DataSource> dataSources, SpindleProperties properties, ConfigurableListableBeanFactory beans,
      SpindleTaskDeclarations declarations) {
    List<TransactionalEnqueue> ext = new ArrayList<>(extensions.orderedStream().toList());
    if (JdbcStoreEnqueue.available(queue.store())) {
      ext.add(new JdbcStoreEnqueue(queue)); // a store in the application's database (PostgreSQL)
    }
    List<DataSource> ds = ext.isEmpty() ? List.of() : dataSources.orderedStream().toList();
    return SpindleEnqueuer.create(queue, properties.getEnqueue().getMode(), ext, ds, beans.getBeanClassLoader(),
        declarations.options());
  }

  /**
   * Registers an injectable {@code SpindleTasks<T>} per type declaring {@code @SpindleTask} methods.
   *
   * @return the post-processor
   */
  @Bean
  public static BeanFactoryPostProcessor spindleTasksRegistrar() {
    return new SpindleTasksRegistrar();
  }

  /**
   * Adds the configured schedules once every singleton exists.
   *
   * @param queue the queue
   * @param schedules schedule beans of the application
   * @param properties the settings
   * @param declarations the {@code @SpindleSchedule} methods
   * @return the initializer
   */
  @Bean
  public SmartInitializingSingleton spindleSchedules(JobQueue queue, ObjectProvider<Schedule> schedules,
      SpindleProperties properties, SpindleTaskDeclarations declarations) {
    Map<String, String> definedBy = new HashMap<>();
    List<Schedule> all = new ArrayList<>();
    for (Map.Entry<String, SpindleProperties.ScheduleProperties> e : properties.getSchedules().entrySet()) {
      add(all, definedBy, schedule(e.getKey(), e.getValue(), declarations.options(), queue.defaults()),
          "spindle.schedules." + e.getKey());
    }
    for (Schedule s : declarations.schedules(queue.defaults())) {
      add(all, definedBy, s, declarations.scheduleWhere(s.name()));
    }
    return () -> {
      schedules.orderedStream().forEach(s -> add(all, definedBy, s, "a Schedule bean"));
      for (Schedule s : all) {
        queue.addSchedule(s);
        LOG.info("Spindle schedule {}: {} -> {}", s.name(), s.describeTrigger(), s.task());
      }
    };
  }

  private static void add(List<Schedule> all, Map<String, String> definedBy, Schedule s, String where) {
    String before = definedBy.putIfAbsent(s.name(), where);
    if (before != null) {
      throw new IllegalArgumentException("schedule '" + s.name() + "' is defined twice: by " + before + " and by "
          + where + "; rename one");
    }
    all.add(s);
  }

  static Schedule schedule(String name, SpindleProperties.ScheduleProperties p, SpindleTaskOptions taskOptions,
      JobOptions defaults) {
    String where = "spindle.schedules." + name;
    if ((p.getCron() == null) == (p.getEvery() == null)) {
      throw new IllegalArgumentException(where + ": set exactly one of cron and every");
    }
    if (p.getTask() == null) {
      throw new IllegalArgumentException(where + ".task is required");
    }
    try {
      String cron = p.getCron();
      Duration every = p.getEvery();
      Schedule.Builder b = cron != null ? Schedule.cron(name, cron, ZoneId.of(p.getZone()))
          : Schedule.every(name, java.util.Objects.requireNonNull(every));
      JobOptions options = taskOptions.apply(p.getTask(), defaults);
      String queueName = p.getQueue();
      if (queueName != null) {
        options = options.toBuilder().queue(queueName).build();
      }
      return b.task(p.getTask(), p.getArgs()).misfire(p.getMisfire()).options(options).build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The worker, started and stopped with the context.
   *
   * @param queue the queue (its store, registry, codec and listeners)
   * @param properties the settings
   * @param environment to compare the grace with Spring's shutdown phase timeout
   * @return the lifecycle bean
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "spindle.worker.enabled", matchIfMissing = true)
  public SpindleWorker spindleWorker(JobQueue queue, SpindleProperties properties, Environment environment) {
    SpindleProperties.Worker w = properties.getWorker();
    Supplier<Worker.Builder> builder = () -> {
      Worker.Builder b = queue.worker().registry(queue.registry()).queues(w.getQueues()).model(w.getModel())
          .name(w.getName()).leaseDuration(w.getLeaseDuration()).heartbeatInterval(w.getHeartbeatInterval())
          .pollInterval(w.getPollInterval()).runSchedules(w.isRunSchedules()).maintenance(w.isMaintenance());
      Integer c = w.getConcurrency();
      if (c != null) {
        b.concurrency(c);
      }
      return b;
    };
    var unused = builder.get(); // checks the settings now, so a wrong value fails the start with its name
    Duration phaseTimeout = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class,
        Duration.ofSeconds(30));
    if (w.getShutdownGrace().compareTo(phaseTimeout) >= 0) {
      LOG.warn("spindle.worker.shutdown-grace {} is not below spring.lifecycle.timeout-per-shutdown-phase {}: "
          + "Spring may stop waiting before running jobs are handed back", w.getShutdownGrace(), phaseTimeout);
    }
    return new SpindleWorker(builder, w.getShutdownGrace(), w.getPhase());
  }
}
