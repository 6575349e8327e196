package dev.spindle.queue;

import dev.spindle.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The AES-GCM keys that encrypt job arguments and results at rest, by key id. One key, the
 * <em>primary</em>, encrypts new payloads; every key decrypts the payloads that name it, so a
 * rotation adds a new primary and keeps the old keys until no stored job names them. Immutable and
 * thread-safe.
 *
 * <p>An encrypted payload is a JSON object, the <em>envelope</em> ({@link #isEncrypted}):
 * {@code {"spindle:encrypted":1,"kid":"k2","kind":"args","task":"mail.send","iv":"…","ct":"…"}},
 * where {@code iv} is a random 96-bit nonce and {@code ct} the ciphertext with its 128-bit tag, both
 * base64. The version, kind and task name are the associated data, so a ciphertext moved to a job of
 * another task, or any flipped byte, fails to decrypt.
 *
 * <p>Keys come from a file ({@link #fromFile}) readable by its owner only, or an environment variable
 * ({@link #fromEnvironment}); never from the command line. Both hold lines {@code id=base64key} (16,
 * 24 or 32 bytes), blank lines and {@code #} comments; an optional line {@code primary=id} names the
 * primary, else the last key listed is primary. {@link #toString()} names key ids only; no error
 * message of this class holds key material.
 */
public final class KeyRing {
  /** The envelope's marker field; a JSON payload holding it is encrypted. */
  public static final String MARKER = "spindle:encrypted";
  /** What an envelope holds: a job's arguments. */
  public static final String ARGS = "args";
  /** What an envelope holds: a job's result. */
  public static final String RESULT = "result";

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final String MARKER_PREFIX = "{\"" + MARKER + "\":1,";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** One AES-GCM cipher per thread, initialised afresh (new nonce) for each payload. */
  private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName());
    }
  });

  private final Map<String, SecretKey> keys;
  private final String primary;

  private KeyRing(Map<String, SecretKey> keys, String primary) {
    this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    this.primary = primary;
  }

  /**
   * A ring of {@code keys} (id to raw AES key bytes, copied) whose primary is {@code primaryId}.
   *
   * @throws IllegalArgumentException if a key id is invalid (1-64 of letters, digits, {@code . _ : -}),
   *     a key is not 16, 24 or 32 bytes, or the primary is not among the keys
   */
  public static KeyRing of(String primaryId, Map<String, byte[]> keys) {
    Objects.requireNonNull(primaryId, "primaryId");
    Map<String, SecretKey> copy = new LinkedHashMap<>();
    keys.forEach((id, bytes) -> copy.put(checkId(id), aesKey(id, bytes)));
    if (!copy.containsKey(primaryId)) {
      throw new IllegalArgumentException("the primary key '" + primaryId + "' is not in the ring (it holds "
          + copy.keySet() + ")");
    }
    return new KeyRing(copy, primaryId);
  }

  /**
   * A ring with {@code key} added under {@code id} as the new primary; the other keys still decrypt.
   *
   * @throws IllegalArgumentException for an invalid id or key, or an id already in the ring
   */
  public KeyRing withPrimary(String id, byte[] key) {
    if (keys.containsKey(checkId(id))) {
      throw new IllegalArgumentException("the ring already holds a key '" + id + "'");
    }
    Map<String, SecretKey> more = new LinkedHashMap<>(keys);
    more.put(id, aesKey(id, key));
    return new KeyRing(more, id);
  }

  /** A new random 256-bit AES key, for tests and for {@code id=base64} lines. */
  public static byte[] newKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /**
   * Reads a ring from a key file that only its owner may read or write (mode 0600 or 0400; a
   * group- or world-accessible file is refused, as ssh refuses such a private key).
   *
   * @throws IllegalArgumentException if the file is accessible to group or others, unreadable, or
   *     malformed (the message names the file and line, never a key)
   */
  public static KeyRing fromFile(Path file) {
    checkOwnerOnly(file);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the key file " + file + ": " + e.getClass().getSimpleName());
    }
    return parse(text, "key file " + file);
  }

  /**
   * Reads a ring from an environment variable holding the key file's lines (separated by newlines
   * or {@code ;}).
   *
   * @throws IllegalArgumentException if the variable is not set or is malformed
   */
  public static KeyRing fromEnvironment(String variable) {
    return fromEnvironment(variable, System.getenv());
  }

  /** {@link #fromEnvironment(String)} on a given environment (for tests). */
  public static KeyRing fromEnvironment(String variable, Map<String, String> environment) {
    String text = environment.get(Objects.requireNonNull(variable, "variable"));
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the environment variable " + variable + " holding the key ring is not set");
    }
    return parse(text.replace(';', '\n'), "environment variable " + variable);
  }

  private static KeyRing parse(String text, String source) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    String primary = null;
    String last = null;
    int n = 0;
    for (String raw : text.split("\n", -1)) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(source + ", line " + n + ": expected id=base64key or primary=id");
      }
      String id = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (id.equals("primary")) {
        primary = value;
        continue;
      }
      if (!KEY_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(source + ", line " + n + ": a key id has 1-64 letters, digits and . _ : -");
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ", line " + n + ": the key '" + id + "' is not base64");
      }
      SecretKey key;
      try {
        key = aesKey(id, bytes);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ", line " + n + ": " + e.getMessage());
      }
      if (keys.put(id, key) != null) {
        throw new IllegalArgumentException(source + ", line " + n + ": the key '" + id + "' is listed twice");
      }
      last = id;
    }
    if (last == null) {
      throw new IllegalArgumentException(source + " holds no key");
    }
    String p = primary != null ? primary : last;
    if (!keys.containsKey(p)) {
      throw new IllegalArgumentException(source + ": the primary key '" + p + "' is not listed");
    }
    return new KeyRing(keys, p);
  }

  private static void checkOwnerOnly(Path file) {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return; // not a POSIX file system: its own access control applies
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the key file " + file + ": " + e.getClass().getSimpleName()
          + (e.getMessage() != null ? " " + e.getMessage() : ""));
    }
    List<String> open = PrivateFiles.grantedToOthers(perms).stream()
        .map(p -> p.name().toLowerCase(java.util.Locale.ROOT)).toList();
    if (!open.isEmpty()) {
      throw new IllegalArgumentException("the key file " + file + " is accessible to others (" + String.join(", ",
          open) + "); allow its owner only: chmod 600 " + file);
    }
  }

  private static String checkId(String id) {
    if (!KEY_ID.matcher(Objects.requireNonNull(id, "key id")).matches()) {
      throw new IllegalArgumentException("invalid key id: use 1-64 letters, digits and . _ : -");
    }
    return id;
  }

  private static SecretKey aesKey(String id, byte[] bytes) {
    if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
      throw new IllegalArgumentException("the key '" + id + "' has " + bytes.length
          + " bytes; an AES key has 16, 24 or 32");
    }
    return new SecretKeySpec(bytes.clone(), "AES");
  }

  /** The id of the key that encrypts new payloads. */
  public String primaryId() {
    return primary;
  }

  /** Every key id, in the order given. */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  /**
   * True if {@code json} is an encrypted envelope. A cheap prefix test, safe on the hot path: this
   * class writes every envelope with the marker first.
   */
  public static boolean isEncrypted(@Nullable String json) {
    return json != null && json.startsWith(MARKER_PREFIX);
  }

  /** True if an envelope may be somewhere inside {@code json} (a workflow's collected results). */
  public static boolean mayHoldEncrypted(@Nullable String json) {
    return json != null && json.contains(MARKER);
  }

  /**
   * The key id an envelope names.
   *
   * @throws PayloadTamperedException if {@code json} is not a well-formed envelope
   */
  public static String keyIdOf(String json) {
    return Envelope.parse(json).kid();
  }

  /**
   * Encrypts {@code json} under the primary key, bound to {@code kind} ({@link #ARGS} or
   * {@link #RESULT}) and {@code task}.
   *
   * @return the envelope, a JSON object
   */
  public String encrypt(String kind, String task, String json) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] ct;
    try {
      Cipher c = GCM.get();
      c.init(Cipher.ENCRYPT_MODE, keys.get(primary), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad(kind, task));
      ct = c.doFinal(json.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName());
    }
    Base64.Encoder b64 = Base64.getEncoder();
    return MARKER_PREFIX + "\"kid\":\"" + primary + "\",\"kind\":\"" + kind + "\",\"task\":\"" + task
        + "\",\"iv\":\"" + b64.encodeToString(nonce) + "\",\"ct\":\"" + b64.encodeToString(ct) + "\"}";
  }

  /**
   * Decrypts an envelope that must hold {@code kind} of {@code task} ({@code task} null: the
   * task the envelope names, for results collected into a workflow's input).
   *
   * @throws MissingKeyException if the ring lacks the envelope's key
   * @throws PayloadTamperedException if the envelope is malformed, altered, or bound to another kind
   *     or task
   */
  public String decrypt(String kind, @Nullable String task, String json) {
    Envelope e = Envelope.parse(json);
    SecretKey key = keys.get(e.kid());
    if (key == null) {
      throw new MissingKeyException(e.kid(), keys.keySet());
    }
    String boundTask = task != null ? task : e.task();
    try {
      Cipher c = GCM.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, e.iv()));
      c.updateAAD(aad(kind, boundTask));
      return new String(c.doFinal(e.ct()), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException x) {
      throw new PayloadTamperedException("the encrypted " + kind + " (key '" + e.kid() + "') fail authentication"
          + " for task '" + boundTask + "': they were altered, or moved from a job of another task");
    } catch (GeneralSecurityException x) {
      throw new PayloadTamperedException("the encrypted " + kind + " (key '" + e.kid() + "') cannot be decrypted: "
          + x.getClass().getSimpleName());
    }
  }

  /**
   * A unique key for {@code value} that does not reveal it: {@code hmac:} and the base64url
   * HMAC-SHA256 of the task name and value under a key derived from the ring's <em>first</em> key
   * (stable across rotations that append keys). Use it as {@link JobOptions#uniqueKey} when the
   * de-duplicating value is itself sensitive.
   */
  public String uniqueKey(String task, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      SecretKey first = keys.values().iterator().next();
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(first);
      byte[] sub = derive.doFinal("spindle unique key v1".getBytes(StandardCharsets.UTF_8));
      mac.init(new SecretKeySpec(sub, "HmacSHA256"));
      mac.update(task.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return "hmac:" + Base64.getUrlEncoder().withoutPadding().encodeToString(h);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e.getClass().getSimpleName());
    }
  }

  private static byte[] aad(String kind, String task) {
    return ("spindle/1/" + kind + "/" + task).getBytes(StandardCharsets.UTF_8);
  }

  /** Names the key ids and the primary; never key material. */
  @Override
  public String toString() {
    return "KeyRing[primary=" + primary + ", keys=" + keys.keySet() + "]";
  }

  /** A parsed envelope. */
  private record Envelope(String kid, String kind, String task, byte[] iv, byte[] ct) {
    private static final tools.jackson.databind.json.JsonMapper MAPPER =
        tools.jackson.databind.json.JsonMapper.builder().build();

    static Envelope parse(String json) {
      tools.jackson.databind.JsonNode n;
      try {
        n = MAPPER.readTree(json);
      } catch (tools.jackson.core.JacksonException e) {
        throw new PayloadTamperedException("the encrypted payload is not valid JSON");
      }
      if (n == null || !n.isObject() || n.path(MARKER).asInt(0) != 1) {
        throw new PayloadTamperedException("the payload is not a version-1 encrypted envelope");
      }
      String kid = n.path("kid").asString("");
      if (!KEY_ID.matcher(kid).matches()) {
        throw new PayloadTamperedException("the encrypted payload names no valid key id");
      }
      try {
        byte[] iv = Base64.getDecoder().decode(n.path("iv").asString(""));
        byte[] ct = Base64.getDecoder().decode(n.path("ct").asString(""));
        if (iv.length != NONCE_BYTES || ct.length < TAG_BITS / 8) {
          throw new PayloadTamperedException("the encrypted payload (key '" + kid + "') has a truncated nonce or"
              + " ciphertext");
        }
        return new Envelope(kid, n.path("kind").asString(""), n.path("task").asString(""), iv, ct);
      } catch (IllegalArgumentException e) {
        if (e instanceof PayloadTamperedException p) {
          throw p;
        }
        throw new PayloadTamperedException("the encrypted payload (key '" + kid + "') is not base64");
      }
    }
  }
}
