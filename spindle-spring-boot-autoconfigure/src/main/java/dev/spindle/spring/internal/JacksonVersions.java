package dev.spindle.spring.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * Checks that the Jackson 3 on the application's class path is as recent as the one Spindle was
 * built with: the same major version and at least its minor version. Spring Boot's BOM manages its own Jackson version, which wins in a
 * build that imports it unless the application overrides it; an older Jackson fails at run time
 * with {@code NoSuchMethodError} deep in a job, so the start fails instead, saying how to align
 * them. Stateless.
 */
public final class JacksonVersions {
  private static final String RESOURCE = "/META-INF/spindle/spring-versions.properties";

  private JacksonVersions() {}

  /** The Jackson version Spindle was built with, e.g. {@code 3.2.4}. */
  public static String builtWith() {
    try (InputStream in = JacksonVersions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from spindle-spring-boot-autoconfigure");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("jackson", "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The version of jackson-core on the class path. */
  public static String core() {
    return tools.jackson.core.json.PackageVersion.VERSION.toString();
  }

  /** The version of jackson-databind on the class path. */
  public static String databind() {
    return tools.jackson.databind.cfg.PackageVersion.VERSION.toString();
  }

  /**
   * What is wrong with these versions, if anything: jackson-core and jackson-databind of different
   * minor versions, or either older than {@code builtWith} or of another major version.
   */
  public static Optional<String> problem(String builtWith, String core, String databind) {
    int[] built = majorMinor(builtWith);
    int[] c = majorMinor(core);
    int[] d = majorMinor(databind);
    boolean mixed = c[0] != d[0] || c[1] != d[1];
    boolean older = !compatible(built, c) || !compatible(built, d);
    if (!mixed && !older) {
      return Optional.empty();
    }
    return Optional.of("Spindle needs Jackson " + builtWith + " (tools.jackson; " + built[0] + "." + built[1]
        + " or a later " + built[0] + ".x) but the"
        + " class path has jackson-core " + core + " and jackson-databind " + databind + ". Spring Boot's"
        + " dependency management picks its own Jackson version: with spring-boot-starter-parent set the"
        + " Maven property <jackson-bom.version>" + builtWith + "</jackson-bom.version>; with Boot's BOM"
        + " imported, import tools.jackson:jackson-bom:" + builtWith + " before it; with Gradle's Spring"
        + " dependency-management plugin set ext['jackson-bom.version'] = '" + builtWith + "'. Set"
        + " spindle.jackson-version-check=false to start anyway.");
  }

  private static boolean compatible(int[] built, int[] actual) {
    return actual[0] == built[0] && actual[1] >= built[1];
  }

  private static int[] majorMinor(String version) {
    String[] parts = version.split("[.-]");
    try {
      return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
    } catch (NumberFormatException e) {
      return new int[] {-1, -1};
    }
  }
}
