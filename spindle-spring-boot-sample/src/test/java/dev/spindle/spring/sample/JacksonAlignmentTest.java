package dev.spindle.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.spring.internal.JacksonVersions;
import org.junit.jupiter.api.Test;

/**
 * This application's build imports Jackson's BOM before Spring Boot's (which manages an older
 * Jackson 3), as the starter's documentation tells applications to: the Jackson on its class path
 * is the one Spindle is built with.
 */
class JacksonAlignmentTest {
  @Test
  void jacksonOnTheStartersClassPathIsTheOneSpindleIsBuiltWith() {
    assertThat(JacksonVersions.core()).isEqualTo(JacksonVersions.builtWith());
    assertThat(JacksonVersions.databind()).isEqualTo(JacksonVersions.builtWith());
  }
}
