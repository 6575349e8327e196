package dev.spindle.spring.boot;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.web.Credentials;
import dev.spindle.web.Dashboard;
import dev.spindle.web.HostSecurity;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * Starts the Spindle dashboard (module {@code spindle-web}) with the application when
 * {@code spindle.dashboard.enabled=true}, in one of two ways.
 *
 * <ul>
 *   <li>Mounted ({@code spindle.dashboard.path}, e.g. {@code /spindle}): a servlet in the
 *       application's own servlet server under that path, behind the application's own security.
 *       The dashboard takes the user from the request's principal and the role from
 *       {@code isUserInRole}: {@code spindle.dashboard.operator-role} (default
 *       {@code SPINDLE_OPERATOR}) may change, {@code spindle.dashboard.viewer-role} (default
 *       {@code SPINDLE_VIEWER}) may read, anyone else is refused. Changing requests need the
 *       dashboard's CSRF token and, when Spring Security is present, Spring Security's too (the
 *       pages carry both). A {@link HostSecurity} bean replaces the defaults.
 *   <li>Standalone (no path): its own embedded server on {@code spindle.dashboard.port} (127.0.0.1
 *       by default), behind its own credentials, which are required: a {@link Credentials} bean,
 *       else {@code spindle.dashboard.users-file}, else the {@code SPINDLE_DASHBOARD_TOKEN} or
 *       {@code SPINDLE_DASHBOARD_USERS} environment variables; with none of them the start fails (no
 *       token is made up and printed, since an application's output usually ends up in its logs).
 * </ul>
 *
 * See docs/SPRING.md.
 */
@AutoConfiguration(after = SpindleAutoConfiguration.class)
@ConditionalOnClass(Dashboard.class)
@ConditionalOnBean(StoreBackend.class)
@ConditionalOnBooleanProperty(name = "spindle.dashboard.enabled")
public class SpindleDashboardAutoConfiguration {
  /** For Spring. */
  public SpindleDashboardAutoConfiguration() {}

  /**
   * The dashboard, started and stopped with the context.
   *
   * @param store the store it shows
   * @param registry the tasks it may enqueue
   * @param credentials an application-provided credentials bean, if any (standalone)
   * @param hostSecurity an application-provided host security bean, if any (mounted)
   * @param properties the settings
   * @return the lifecycle bean
   */
  @Bean
  @ConditionalOnMissingBean
  public SpindleDashboard spindleDashboard(StoreBackend store, TaskRegistry registry,
      ObjectProvider<Credentials> credentials, ObjectProvider<HostSecurity> hostSecurity,
      SpindleProperties properties) {
    SpindleProperties.Dashboard p = properties.getDashboard();
    String path = p.getPath();
    if (path != null) {
      HostSecurity host = hostSecurity.getIfAvailable(() -> HostSecurity.builder().viewerRole(p.getViewerRole())
          .operatorRole(p.getOperatorRole()).build());
      return new SpindleDashboard(Dashboard.builder(store).registry(registry).hostSecurity(host).build(),
          mountPath(path));
    }
    Credentials creds = credentials.getIfAvailable();
    Path users = p.getUsersFile();
    if (creds == null && users != null) {
      creds = Credentials.fromFile(users);
    }
    if (creds == null) {
      creds = Credentials.fromEnvironment(System.getenv()).orElseThrow(() -> new IllegalStateException(
          "spindle.dashboard.enabled=true needs credentials: set spindle.dashboard.users-file, or the "
              + Credentials.ENV_TOKEN + " (at least 16 characters) or " + Credentials.ENV_USERS_FILE
              + " environment variable, or define a " + Credentials.class.getName() + " bean; or mount it"
              + " behind the application's own security with spindle.dashboard.path"));
    }
    Dashboard d = Dashboard.builder(store).bind(p.getBind()).port(p.getPort()).credentials(creds)
        .allowedHosts(p.getAllowedHosts()).insecureHttpOnNetwork(p.isInsecureHttpOnNetwork())
        .registry(registry).build();
    return new SpindleDashboard(d, null);
  }

  /**
   * {@code spindle} or {@code /spindle/} as {@code /spindle}.
   *
   * @throws IllegalArgumentException if it is the root or has characters a path mapping cannot take
   */
  static String mountPath(String path) {
    String p = path.trim();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (!p.startsWith("/")) {
      p = "/" + p;
    }
    if (p.equals("/") || !p.matches("(/[A-Za-z0-9._~-]+)+")) {
      throw new IllegalArgumentException("spindle.dashboard.path must be a path below the root such as /spindle: '"
          + path + "'");
    }
    return p;
  }

  /** The servlet of a mounted dashboard, in a servlet web application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "spindle.dashboard.path")
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class Mounted {
    /**
     * The dashboard's servlet under {@code spindle.dashboard.path + "/*"}, asynchronous (live
     * updates).
     *
     * @param dashboard the dashboard
     * @return its registration
     */
    @Bean
    @ConditionalOnMissingBean(name = "spindleDashboardServlet")
    ServletRegistrationBean<HttpServlet> spindleDashboardServlet(SpindleDashboard dashboard) {
      String path = dashboard.mountPath().orElseThrow();
      ServletRegistrationBean<HttpServlet> r = new ServletRegistrationBean<>(dashboard.dashboard().servlet(),
          path + "/*");
      r.setName("spindleDashboard");
      r.setAsyncSupported(true);
      return r;
    }
  }

  /**
   * With Spring Security: the mounted dashboard's pages carry Spring Security's CSRF token (the
   * request attribute its CsrfFilter sets), and app.js sends it in Spring's header.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "spindle.dashboard.path")
  @ConditionalOnClass(name = "org.springframework.security.web.csrf.CsrfToken")
  static class SpringSecurityCsrf {
    /**
     * Host security with the configured roles and Spring Security's CSRF token.
     *
     * @param properties the settings
     * @return the host security
     */
    @Bean
    @ConditionalOnMissingBean
    HostSecurity spindleHostSecurity(SpindleProperties properties) {
      SpindleProperties.Dashboard p = properties.getDashboard();
      return HostSecurity.builder().viewerRole(p.getViewerRole()).operatorRole(p.getOperatorRole())
          .hostCsrf(req -> req.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken t
              ? Optional.of(new HostSecurity.HostCsrfToken(t.getHeaderName(), t.getToken()))
              : Optional.empty())
          .build();
    }
  }
}
