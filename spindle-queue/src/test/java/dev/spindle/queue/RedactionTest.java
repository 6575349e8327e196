package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.Sensitive;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sensitive fields are masked at any depth; encrypted payloads are shown as encrypted, never decrypted. */
class RedactionTest {
  record Login(String user, @Sensitive String password, List<Token> tokens) {}

  record Token(String name, @Sensitive String value) {}

  static final Task<Login, String> LOGIN = Task.of("auth.login", Login.class, String.class, l -> "ok");
  static final Task<String, String> ECHO = Task.of("echo", String.class, String.class, s -> s);

  @Test
  void annotatedRecordComponentsAreMaskedAtAnyDepth() {
    Redaction r = Redaction.of(TaskRegistry.builder().add(LOGIN).add(ECHO).build());
    assertThat(r.fieldsOf("auth.login")).containsExactlyInAnyOrder("password", "value");
    assertThat(r.show("auth.login", "{\"user\":\"ada\",\"password\":\"hunter2\",\"tokens\":[{\"name\":\"gh\","
        + "\"value\":\"ghp_x\"}]}"))
        .isEqualTo("{\"user\":\"ada\",\"password\":\"***\",\"tokens\":[{\"name\":\"gh\",\"value\":\"***\"}]}");
    assertThat(r.show("echo", "\"password\"")).isEqualTo("\"password\"");
  }

  @Test
  void namedFieldsAreMaskedForEveryTaskOrOne() {
    Redaction r = Redaction.none().withFields(List.of("apiKey")).withTaskFields("echo", List.of("pin"));
    assertThat(r.show("other", "{\"apiKey\":\"s\",\"pin\":1}")).isEqualTo("{\"apiKey\":\"***\",\"pin\":1}");
    assertThat(r.show("echo", "{\"apiKey\":\"s\",\"pin\":1}")).isEqualTo("{\"apiKey\":\"***\",\"pin\":\"***\"}");
    assertThat(r.show("echo", "not json")).isEqualTo("not json");
  }

  @Test
  void anEncryptedPayloadIsShownAsEncryptedWithItsKeyId() {
    KeyRing ring = KeyRing.of("k7", Map.of("k7", KeyRing.newKey()));
    String env = ring.encrypt(KeyRing.ARGS, "echo", "\"secret\"");
    assertThat(Redaction.none().show("echo", env)).isEqualTo("{\"encrypted\":true,\"keyId\":\"k7\"}");
    assertThat(Redaction.none().show("echo", "[" + ring.encrypt(KeyRing.RESULT, "echo", "1") + ",2]"))
        .isEqualTo("[{\"encrypted\":true,\"keyId\":\"k7\"},2]");
  }
}
