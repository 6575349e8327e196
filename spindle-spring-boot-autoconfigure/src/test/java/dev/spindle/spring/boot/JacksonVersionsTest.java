package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.spring.internal.JacksonVersions;
import org.junit.jupiter.api.Test;

/**
 * The Jackson on the starter's class path is the one Spindle is built with (the Spring modules
 * import Jackson's BOM before Spring Boot's, which manages an older Jackson 3), and the start-up
 * check tells an application whose build picked Boot's Jackson how to align them.
 */
class JacksonVersionsTest {
  @Test
  void theClassPathHasTheJacksonSpindleIsBuiltWith() {
    String built = JacksonVersions.builtWith();
    assertThat(built).matches("3\\.\\d+\\.\\d+.*");
    assertThat(JacksonVersions.core()).isEqualTo(built);
    assertThat(JacksonVersions.databind()).isEqualTo(built);
    assertThat(JacksonVersions.problem(built, JacksonVersions.core(), JacksonVersions.databind())).isEmpty();
  }

  @Test
  void anOlderOrMixedJacksonIsAProblemThatSaysHowToAlignIt() {
    assertThat(JacksonVersions.problem("3.2.4", "3.1.7", "3.1.7")).hasValueSatisfying(p -> assertThat(p)
        .contains("Spindle needs Jackson 3.2.4").contains("jackson-core 3.1.7")
        .contains("<jackson-bom.version>3.2.4</jackson-bom.version>")
        .contains("tools.jackson:jackson-bom:3.2.4").contains("spindle.jackson-version-check=false"));
    assertThat(JacksonVersions.problem("3.2.4", "3.2.4", "3.1.7")).isPresent();
    assertThat(JacksonVersions.problem("3.2.4", "4.0.0", "4.0.0")).isPresent();
    // Later patch and minor releases of the same major version are fine.
    assertThat(JacksonVersions.problem("3.2.4", "3.2.1", "3.2.1")).isEmpty();
    assertThat(JacksonVersions.problem("3.2.4", "3.3.0", "3.3.0")).isEmpty();
  }
}
