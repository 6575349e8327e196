package dev.spindle.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Who may use the dashboard: users with a {@link Role} and a hashed secret, either a password
 * (PBKDF2-HMAC-SHA256, for the login form) or an API token (SHA-256 of a random token, for
 * {@code Authorization: Bearer}). Secrets are only ever held hashed and compared in constant time.
 * Immutable and thread-safe.
 *
 * <p>Sources, never the command line: a users file ({@link #fromFile}, one {@code name role hash}
 * per line, {@code #} comments; make hashes with {@link #hashPassword} or {@link #hashToken}), the
 * environment ({@link #fromEnvironment}: {@value #ENV_TOKEN} holds a plain operator token,
 * {@value #ENV_USERS_FILE} names a users file), or {@link #generated()} when nothing is configured.
 */
public final class Credentials {
  /** Environment variable with a plain API token for an operator named {@code admin}. */
  public static final String ENV_TOKEN = "SPINDLE_DASHBOARD_TOKEN";
  /** Environment variable naming a users file. */
  public static final String ENV_USERS_FILE = "SPINDLE_DASHBOARD_USERS";
  /** PBKDF2 iterations of new password hashes. */
  public static final int ITERATIONS = 120_000;

  private static final String PBKDF2 = "pbkdf2-sha256";
  private static final String SHA256 = "sha256";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String HASH_FORMS = "expected " + PBKDF2 + "$... or " + SHA256 + "$<64 hex digits>; make one"
      + " with ./spindle dashboard --hash-password or --new-token";
  /** Checked for unknown users, at the cost of a real password's check, so timing tells nobody who exists. */
  private static final String DUMMY_HASH = hashPassword("not a password".toCharArray(), ITERATIONS);

  private final Map<String, Entry> users;

  /** A user as the dashboard sees it after authentication. */
  public record User(String name, Role role) {
    public User {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
    }
  }

  private record Entry(User user, String hash) {}

  /** Credentials made up on the spot: one operator token, to be shown once to whoever started the server. */
  public record Generated(Credentials credentials, String token) {}

  private Credentials(Map<String, Entry> users) {
    this.users = Map.copyOf(users);
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A random operator token (named {@code admin}); the caller shows {@link Generated#token()} once. */
  public static Generated generated() {
    String token = newToken();
    return new Generated(builder().user("admin", Role.OPERATOR, hashToken(token)).build(), token);
  }

  /** A new random token: 32 bytes, URL-safe base64. */
  public static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * Reads {@value #ENV_USERS_FILE} and {@value #ENV_TOKEN} from {@code env}; empty if neither is set.
   *
   * @throws IllegalArgumentException if the users file is unreadable or malformed
   */
  public static Optional<Credentials> fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    boolean any = false;
    String file = env.get(ENV_USERS_FILE);
    if (file != null && !file.isBlank()) {
      fromFile(Path.of(file.trim())).users.values().forEach(e -> b.user(e.user.name(), e.user.role(), e.hash));
      any = true;
    }
    String token = env.get(ENV_TOKEN);
    if (token != null && !token.isBlank()) {
      if (token.trim().length() < 16) {
        throw new IllegalArgumentException(ENV_TOKEN + " must be at least 16 characters");
      }
      b.user("admin", Role.OPERATOR, hashToken(token.trim()));
      any = true;
    }
    return any ? Optional.of(b.build()) : Optional.empty();
  }

  /**
   * Reads a users file: lines {@code name role hash}, e.g.
   * {@code alice operator pbkdf2-sha256$120000$salt$hash}. Like sshd's StrictModes, the file must be
   * owned by the user running the dashboard and neither readable nor writable by anyone else
   * ({@code chmod 600 FILE}): its hashes could otherwise be guessed offline, or a user added. (On a
   * file system without POSIX permissions, such as Windows', this is not checked.)
   *
   * @throws IllegalArgumentException if it cannot be read, other users may read or change it, it is
   *     owned by another user, or a line is malformed (the message names the line, never the hash)
   */
  public static Credentials fromFile(Path file) {
    UsersFiles.requirePrivate(file);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the users file " + file + ": " + e.getMessage(), e);
    }
    Builder b = builder();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] p = l.split("\\s+");
      if (p.length != 3) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 'name role hash'");
      }
      // the messages name the line and field but never quote a field: a misplaced column may be a secret
      String at = file + " line " + (i + 1) + ": ";
      if (!p[0].matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new IllegalArgumentException(at + "the name (field 1) must be 1-64 letters, digits or ._-@");
      }
      Role role = switch (p[1].toLowerCase(Locale.ROOT)) {
        case "viewer" -> Role.VIEWER;
        case "operator" -> Role.OPERATOR;
        default -> throw new IllegalArgumentException(at + "the role (field 2) must be viewer or operator");
      };
      try {
        b.user(p[0], role, p[2]);
      } catch (IllegalArgumentException e) { // no cause: it may quote the field
        throw new IllegalArgumentException(at + "the hash (field 3) is malformed: " + HASH_FORMS);
      }
    }
    return b.build();
  }

  /** A PBKDF2-HMAC-SHA256 hash of a password with a random salt, {@value #ITERATIONS} iterations. */
  public static String hashPassword(char[] password) {
    return hashPassword(password, ITERATIONS);
  }

  private static String hashPassword(char[] password, int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] dk = pbkdf2(password, salt, iterations);
    Base64.Encoder enc = Base64.getEncoder().withoutPadding();
    return PBKDF2 + "$" + iterations + "$" + enc.encodeToString(salt) + "$" + enc.encodeToString(dk);
  }

  /** The SHA-256 hash of an API token, as kept in a users file. */
  public static String hashToken(String token) {
    return SHA256 + "$" + HexFormat.of().formatHex(sha256(token.getBytes(StandardCharsets.UTF_8)));
  }

  /** The user names, sorted. */
  public List<String> userNames() {
    return users.keySet().stream().sorted().toList();
  }

  /**
   * Checks a user's password in constant time (an unknown user costs as much as a known one).
   *
   * @return the user, or empty if the name or password is wrong
   */
  public Optional<User> verifyPassword(@Nullable String name, char[] password) {
    Entry e = name == null ? null : users.get(name);
    Entry known = e != null && e.hash.startsWith(PBKDF2 + "$") ? e : null;
    boolean ok = checkPassword(known != null ? known.hash : DUMMY_HASH, password); // same cost either way
    return ok && known != null ? Optional.of(known.user) : Optional.empty();
  }

  /**
   * Finds the user whose API token this is, comparing every token hash in constant time.
   *
   * @return the user, or empty
   */
  public Optional<User> verifyToken(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] given = sha256(token.getBytes(StandardCharsets.UTF_8));
    User found = null;
    for (Entry e : users.values()) {
      if (e.hash.startsWith(SHA256 + "$")) {
        byte[] want = HexFormat.of().parseHex(e.hash.substring(SHA256.length() + 1));
        if (MessageDigest.isEqual(given, want)) {
          found = e.user;
        }
      }
    }
    return Optional.ofNullable(found);
  }

  private static boolean checkPassword(String hash, char[] password) {
    String[] p = hash.split("\\$");
    int iterations = Integer.parseInt(p[1]);
    byte[] salt = Base64.getDecoder().decode(p[2]);
    byte[] want = Base64.getDecoder().decode(p[3]);
    return MessageDigest.isEqual(pbkdf2(password, salt, iterations), want);
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
      try {
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      } finally {
        spec.clearPassword();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  static void checkHash(String hash) {
    String[] p = hash.split("\\$", -1);
    boolean ok = switch (p[0]) {
      case PBKDF2 -> p.length == 4 && p[1].matches("[0-9]{4,9}") && isBase64(p[2]) && isBase64(p[3]);
      case SHA256 -> p.length == 2 && p[1].matches("[0-9a-f]{64}");
      default -> false;
    };
    if (!ok) {
      throw new IllegalArgumentException("not a secret hash (" + HASH_FORMS + ")");
    }
  }

  private static boolean isBase64(String s) {
    try {
      return !s.isEmpty() && Base64.getDecoder().decode(s).length > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "Credentials" + userNames();
  }

  /** Collects users; validates each as it is added. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Entry> users = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds or replaces a user.
     *
     * @param hash a {@link #hashPassword} or {@link #hashToken} result
     * @throws IllegalArgumentException if the name is not 1-64 letters, digits or {@code ._-@}, or the
     *     hash is malformed
     */
    public Builder user(String name, Role role, String hash) {
      if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new IllegalArgumentException("a user name is 1-64 letters, digits or ._-@: '" + name + "'");
      }
      Objects.requireNonNull(role, "role");
      checkHash(Objects.requireNonNull(hash, "hash"));
      users.put(name, new Entry(new User(name, role), hash));
      return this;
    }

    /** Adds a user with a password, hashing it here. */
    public Builder password(String name, Role role, char[] password) {
      return user(name, role, hashPassword(password));
    }

    /** Adds a user with an API token, hashing it here. */
    public Builder token(String name, Role role, String token) {
      if (token == null || token.length() < 16) {
        throw new IllegalArgumentException("an API token must be at least 16 characters");
      }
      return user(name, role, hashToken(token));
    }

    /**
     * The credentials.
     *
     * @throws IllegalArgumentException if there is no user
     */
    public Credentials build() {
      if (users.isEmpty()) {
        throw new IllegalArgumentException("credentials need at least one user");
      }
      return new Credentials(users);
    }
  }
}
