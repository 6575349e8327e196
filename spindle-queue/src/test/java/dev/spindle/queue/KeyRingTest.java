package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key rings: AES-GCM envelopes, binding, tampering, rotation, key files and what errors reveal. */
class KeyRingTest {
  final byte[] k1 = KeyRing.newKey();
  final byte[] k2 = KeyRing.newKey();
  final KeyRing ring = KeyRing.of("k1", Map.of("k1", k1));

  @TempDir
  Path dir;

  static String b64(byte[] k) {
    return Base64.getEncoder().encodeToString(k);
  }

  @Test
  void anEnvelopeNamesItsKeyAndHidesThePlaintext() {
    String env = ring.encrypt(KeyRing.ARGS, "mail.send", "{\"to\":\"ada@example.com\"}");
    assertThat(KeyRing.isEncrypted(env)).isTrue();
    assertThat(KeyRing.isEncrypted("{\"to\":1}")).isFalse();
    assertThat(KeyRing.keyIdOf(env)).isEqualTo("k1");
    assertThat(env).doesNotContain("ada@example.com").contains("\"task\":\"mail.send\"");
    assertThat(ring.decrypt(KeyRing.ARGS, "mail.send", env)).isEqualTo("{\"to\":\"ada@example.com\"}");
    assertThat(ring.encrypt(KeyRing.ARGS, "mail.send", "1")).isNotEqualTo(ring.encrypt(KeyRing.ARGS, "mail.send",
        "1")); // a fresh nonce each time
  }

  @Test
  void aFlippedByteAnotherTaskOrAnotherKindFailsAuthentication() {
    String env = ring.encrypt(KeyRing.ARGS, "mail.send", "{\"to\":\"x\"}");
    String ct = env.substring(env.indexOf("\"ct\":\"") + 6, env.length() - 2);
    byte[] b = Base64.getDecoder().decode(ct);
    b[0] ^= (byte) 0x80;
    String flipped = env.replace(ct, b64(b));
    assertThatThrownBy(() -> ring.decrypt(KeyRing.ARGS, "mail.send", flipped))
        .isInstanceOf(PayloadTamperedException.class).hasMessageContaining("altered");
    assertThatThrownBy(() -> ring.decrypt(KeyRing.ARGS, "bill.pay", env))
        .isInstanceOf(PayloadTamperedException.class).hasMessageContaining("another task")
        .hasMessageContaining("'bill.pay'");
    assertThatThrownBy(() -> ring.decrypt(KeyRing.RESULT, "mail.send", env))
        .isInstanceOf(PayloadTamperedException.class);
    assertThatThrownBy(() -> ring.decrypt(KeyRing.ARGS, "mail.send", "{\"spindle:encrypted\":1,\"kid\":\"k1\"}"))
        .isInstanceOf(PayloadTamperedException.class).hasMessageContaining("truncated");
  }

  @Test
  void rotationAddsAPrimaryAndKeepsOldKeysForDecryption() {
    String old = ring.encrypt(KeyRing.ARGS, "t", "42");
    KeyRing rotated = ring.withPrimary("k2", k2);
    assertThat(rotated.primaryId()).isEqualTo("k2");
    assertThat(rotated.keyIds()).containsExactly("k1", "k2");
    assertThat(KeyRing.keyIdOf(rotated.encrypt(KeyRing.ARGS, "t", "1"))).isEqualTo("k2");
    assertThat(rotated.decrypt(KeyRing.ARGS, "t", old)).isEqualTo("42");
    assertThatThrownBy(() -> ring.withPrimary("k1", k2)).hasMessageContaining("already holds");
  }

  @Test
  void aMissingKeyIsNamedByIdOnly() {
    String env = ring.withPrimary("k2", k2).encrypt(KeyRing.ARGS, "t", "1");
    assertThatThrownBy(() -> ring.decrypt(KeyRing.ARGS, "t", env))
        .isInstanceOfSatisfying(MissingKeyException.class, e -> assertThat(e.keyId()).isEqualTo("k2"))
        .hasMessageContaining("key 'k2'").hasMessageContaining("holds k1")
        .hasMessageNotContaining(b64(k1)).hasMessageNotContaining(b64(k2));
  }

  @Test
  void aKeyFileReadableByItsOwnerOnlyIsRead() throws Exception {
    Path f = dir.resolve("keys");
    Files.writeString(f, "# keys\nk1=" + b64(k1) + "\nk2=" + b64(k2) + "\n\nprimary=k1\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    KeyRing r = KeyRing.fromFile(f);
    assertThat(r.primaryId()).isEqualTo("k1");
    assertThat(r.decrypt(KeyRing.ARGS, "t", ring.encrypt(KeyRing.ARGS, "t", "7"))).isEqualTo("7");
    assertThat(r.toString()).isEqualTo("KeyRing[primary=k1, keys=[k1, k2]]");
  }

  @Test
  void aKeyFileOthersCanReadIsRefusedWithoutShowingTheKey() throws Exception {
    Path f = dir.resolve("keys");
    Files.writeString(f, "k1=" + b64(k1) + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> KeyRing.fromFile(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("accessible to others (group_read)").hasMessageContaining("chmod 600")
        .hasMessageNotContaining(b64(k1));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw----r--"));
    assertThatThrownBy(() -> KeyRing.fromFile(f)).hasMessageContaining("others_read");
  }

  @Test
  void malformedKeysAreRefusedNamingTheLineNotTheKey() throws Exception {
    Path f = dir.resolve("keys");
    Files.writeString(f, "k1=" + b64(new byte[] {1, 2, 3}) + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> KeyRing.fromFile(f)).hasMessageContaining("line 1").hasMessageContaining("3 bytes");
    assertThatThrownBy(() -> KeyRing.fromEnvironment("KEYS", Map.of("KEYS", "k1=not base64!")))
        .hasMessageContaining("environment variable KEYS, line 1").hasMessageContaining("not base64")
        .hasMessageNotContaining("not base64!");
    assertThatThrownBy(() -> KeyRing.fromEnvironment("KEYS", Map.of()))
        .hasMessageContaining("KEYS holding the key ring is not set");
    assertThatThrownBy(() -> KeyRing.fromEnvironment("KEYS", Map.of("KEYS", "k1=" + b64(k1) + ";primary=k9")))
        .hasMessageContaining("primary key 'k9' is not listed");
  }

  @Test
  void theEnvironmentHoldsKeysSeparatedBySemicolonsTheLastOnePrimary() {
    KeyRing r = KeyRing.fromEnvironment("KEYS", Map.of("KEYS", "k1=" + b64(k1) + ";k2=" + b64(k2)));
    assertThat(r.primaryId()).isEqualTo("k2");
    assertThat(r.decrypt(KeyRing.ARGS, "t", ring.encrypt(KeyRing.ARGS, "t", "7"))).isEqualTo("7");
  }

  @Test
  void uniqueKeysHideTheValueAndSurviveRotation() {
    String a = ring.uniqueKey("mail.send", "ada@example.com");
    assertThat(a).startsWith("hmac:").doesNotContain("ada");
    assertThat(ring.uniqueKey("mail.send", "ada@example.com")).isEqualTo(a);
    assertThat(ring.uniqueKey("mail.send", "bob@example.com")).isNotEqualTo(a);
    assertThat(ring.uniqueKey("mail.other", "ada@example.com")).isNotEqualTo(a);
    assertThat(ring.withPrimary("k2", k2).uniqueKey("mail.send", "ada@example.com")).isEqualTo(a);
  }
}
