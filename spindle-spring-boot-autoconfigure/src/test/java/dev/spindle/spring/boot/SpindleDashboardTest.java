package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.web.Credentials;
import dev.spindle.web.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The dashboard started with the application, on its own loopback port, behind credentials. */
class SpindleDashboardTest {
  static final String TOKEN = Credentials.newToken();

  @TempDir
  Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SpindleAutoConfiguration.class,
            SpindleDashboardAutoConfiguration.class))
        .withUserConfiguration(TestTasks.class)
        .withPropertyValues("spindle.store.location=sqlite:" + dir.resolve("jobs.db"), "spindle.worker.enabled=false",
            "spindle.dashboard.enabled=true", "spindle.dashboard.port=0");
  }

  @Configuration(proxyBeanMethods = false)
  static class Users {
    @Bean
    Credentials dashboardCredentials() {
      return Credentials.builder().token("ops", Role.OPERATOR, TOKEN).build();
    }
  }

  @Test
  void dashboardRunsOnItsOwnPortAndRequiresCredentials() throws Exception {
    runner().withUserConfiguration(Users.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      SpindleDashboard d = ctx.getBean(SpindleDashboard.class);
      assertThat(d.isRunning()).isTrue();
      assertThat(d.dashboard().url()).startsWith("http://127.0.0.1:");
      HttpClient http = HttpClient.newHttpClient();
      URI status = URI.create(d.dashboard().url() + "/api/v1/status");
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(status).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      HttpResponse<String> authorized = http.send(HttpRequest.newBuilder(status)
          .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(authorized.statusCode()).isEqualTo(200);
      assertThat(authorized.body()).contains("totals");
    });
  }

  @Test
  void withoutCredentialsTheStartFailsSayingWhatToSet() {
    runner().run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("spindle.dashboard.users-file")
          .hasMessageContaining("SPINDLE_DASHBOARD_TOKEN");
    });
  }

  @Test
  void dashboardIsOffByDefault() {
    runner().withPropertyValues("spindle.dashboard.enabled=false").withUserConfiguration(Users.class)
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(SpindleDashboard.class));
  }
}
