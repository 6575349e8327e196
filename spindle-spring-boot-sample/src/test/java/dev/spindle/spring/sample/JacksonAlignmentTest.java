package dev.spindle.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * This application's build imports Jackson's BOM before Spring Boot's (which manages an older
 * Jackson 3), as the starter's documentation tells applications to: the Jackson on its class path
 * is the one Spindle is built with (which the starter's start-up check also enforces).
 */
class JacksonAlignmentTest {
  @Test
  void jacksonOnTheStartersClassPathIsTheOneSpindleIsBuiltWith() throws Exception {
    Properties built = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spindle/spring-versions.properties")) {
      assertThat(in).isNotNull();
      built.load(in);
    }
    String jackson = built.getProperty("jackson");
    assertThat(jackson).matches("3\\.\\d+\\.\\d+.*");
    assertThat(tools.jackson.core.json.PackageVersion.VERSION.toString()).isEqualTo(jackson);
    assertThat(tools.jackson.databind.cfg.PackageVersion.VERSION.toString()).isEqualTo(jackson);
  }
}
