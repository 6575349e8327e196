package dev.spindle.spring.boot;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.web.Credentials;
import dev.spindle.web.Dashboard;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Starts the Spindle dashboard (module {@code spindle-web}) with the application when
 * {@code spindle.dashboard.enabled=true}: its own embedded server on {@code spindle.dashboard.port}
 * (127.0.0.1 by default), behind its own credentials, which are required: a {@link Credentials}
 * bean, else {@code spindle.dashboard.users-file}, else the {@code SPINDLE_DASHBOARD_TOKEN} or
 * {@code SPINDLE_DASHBOARD_USERS} environment variables; with none of them the start fails (no
 * token is made up and printed, since an application's output usually ends up in its logs). See
 * docs/SPRING.md for putting it behind the application's own security.
 */
@AutoConfiguration(after = SpindleAutoConfiguration.class)
@ConditionalOnClass(Dashboard.class)
@ConditionalOnBean(JobStore.class)
@ConditionalOnBooleanProperty(name = "spindle.dashboard.enabled")
public class SpindleDashboardAutoConfiguration {
  /** For Spring. */
  public SpindleDashboardAutoConfiguration() {}

  /**
   * The dashboard, started and stopped with the context.
   *
   * @param store the store it shows
   * @param registry the tasks it may enqueue
   * @param credentials an application-provided credentials bean, if any
   * @param properties the settings
   * @return the lifecycle bean
   */
  @Bean
  @ConditionalOnMissingBean
  public SpindleDashboard spindleDashboard(JobStore store, TaskRegistry registry,
      ObjectProvider<Credentials> credentials, SpindleProperties properties) {
    SpindleProperties.Dashboard p = properties.getDashboard();
    Credentials creds = credentials.getIfAvailable();
    Path users = p.getUsersFile();
    if (creds == null && users != null) {
      creds = Credentials.fromFile(users);
    }
    if (creds == null) {
      creds = Credentials.fromEnvironment(System.getenv()).orElseThrow(() -> new IllegalStateException(
          "spindle.dashboard.enabled=true needs credentials: set spindle.dashboard.users-file, or the "
              + Credentials.ENV_TOKEN + " (at least 16 characters) or " + Credentials.ENV_USERS_FILE
              + " environment variable, or define a " + Credentials.class.getName() + " bean"));
    }
    Dashboard d = Dashboard.builder(store).bind(p.getBind()).port(p.getPort()).credentials(creds)
        .registry(registry).build();
    return new SpindleDashboard(d);
  }
}
