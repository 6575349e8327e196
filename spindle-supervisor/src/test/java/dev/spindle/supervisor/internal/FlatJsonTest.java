package dev.spindle.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class FlatJsonTest {
  @Test
  void roundTripsThroughJackson() throws IOException {
    String tricky = "quote \" backslash \\ newline \n tab \t bell \u0007 é 漢";
    String line = FlatJson.encode("op", "report", "jobs", 42L, "ok", true, "none", null, "text", tricky);
    JsonNode n = JsonLines.parse(line);
    assertThat(n.get("text").asString()).isEqualTo(tricky);
    assertThat(n.get("jobs").asLong()).isEqualTo(42);

    String fromJackson = JsonLines.MAPPER.writeValueAsString(n);
    Map<String, Object> m = FlatJson.decode(fromJackson);
    assertThat(m).containsEntry("op", "report").containsEntry("jobs", 42L).containsEntry("ok", true)
        .containsEntry("none", null).containsEntry("text", tricky);
    assertThat(FlatJson.decode(" { } ")).isEmpty();
    assertThat(FlatJson.decode("{\"x\": -1.5e3}")).containsEntry("x", -1500.0);
  }

  @Test
  void refusesWhatIsNotAFlatObject() {
    assertThatThrownBy(() -> FlatJson.decode("[1]")).isInstanceOf(IOException.class).hasMessageContaining("'{'");
    assertThatThrownBy(() -> FlatJson.decode("{\"a\": {\"b\": 1}}")).hasMessageContaining("flat value");
    assertThatThrownBy(() -> FlatJson.decode("{\"a\": 1} x")).hasMessageContaining("trailing");
    assertThatThrownBy(() -> FlatJson.decode("{\"a\": \"\\q\"}")).hasMessageContaining("bad escape");
    assertThatThrownBy(() -> FlatJson.decode("{\"a\": 1")).hasMessageContaining("unexpected end");
  }
}
