package dev.spindle.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A module's {@code internal} packages are its own: no other module's main code uses them. Other
 * modules reach a module through its API and SPI packages only. The map below says which packages
 * each module owns (package identifiers as ArchUnit reads them: {@code a.b} is that package only,
 * {@code a.b..} it and its subpackages); a main class that no module or two modules own fails, so a
 * new module must be listed here to be guarded.
 */
class ModuleWallsTest {
  /** Each module and the packages it owns. */
  static final Map<String, List<String>> MODULES = modules();

  /**
   * The one opening in the walls: the SQL engine's dialect modules (SQLite, PostgreSQL, MariaDB)
   * build their stores on its public {@code JdbcJobStore} from parts whose interfaces live in {@code
   * dev.spindle.store.jdbc.internal} (claim statements, completion writes, numbering, the connection
   * layer). Owner module to the modules it admits.
   */
  static final Map<String, List<String>> ADMITTED = Map.of("spindle-store-jdbc",
      List.of("dev.spindle.store.sqlite..", "dev.spindle.store.postgres..", "dev.spindle.store.mariadb.."));

  static JavaClasses classes;

  private static Map<String, List<String>> modules() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("spindle-core", List.of("dev.spindle", "dev.spindle.spi..", "dev.spindle.internal..",
        "dev.spindle.coroutine..", "dev.spindle.retry..", "dev.spindle.files.."));
    m.put("spindle-process", List.of("dev.spindle.process.."));
    m.put("spindle-supervisor", List.of("dev.spindle.supervisor.."));
    m.put("spindle-queue", List.of("dev.spindle.queue.."));
    m.put("spindle-store-jdbc", List.of("dev.spindle.store.jdbc.."));
    m.put("spindle-store-sqlite", List.of("dev.spindle.store.sqlite.."));
    m.put("spindle-store-postgres", List.of("dev.spindle.store.postgres.."));
    m.put("spindle-store-redis", List.of("dev.spindle.store.redis.."));
    m.put("spindle-store-mariadb", List.of("dev.spindle.store.mariadb.."));
    m.put("spindle-coordination", List.of("dev.spindle.coordination.."));
    m.put("spindle-web", List.of("dev.spindle.web.."));
    m.put("spindle-metrics", List.of("dev.spindle.metrics.."));
    m.put("spindle-thumbnails", List.of("dev.spindle.thumbnails.."));
    m.put("spindle-examples", List.of("dev.spindle.examples.."));
    m.put("spindle-spring-boot-autoconfigure", List.of("dev.spindle.spring", "dev.spindle.spring.boot..",
        "dev.spindle.spring.spi..", "dev.spindle.spring.internal.."));
    m.put("spindle-spring-boot-sample", List.of("dev.spindle.spring.sample..", "dev.spindle.spring.baseline.."));
    m.put("spindle-testkit", List.of("dev.spindle.testkit.."));
    m.put("spindle-test", List.of("dev.spindle.test.."));
    m.put("spindle-cli", List.of("dev.spindle.cli.."));
    m.put("spindle-bench", List.of("dev.spindle.bench.."));
    return m;
  }

  @BeforeAll
  static void importClasses() {
    classes = MainClasses.get();
  }

  /** Every main class belongs to exactly one module of {@link #MODULES}. */
  @Test
  void everyClassBelongsToOneListedModule() {
    TreeSet<String> unowned = new TreeSet<>();
    TreeSet<String> shared = new TreeSet<>();
    for (JavaClass c : classes) {
      List<String> owners = owners(c);
      if (owners.isEmpty()) {
        unowned.add(c.getPackageName());
      } else if (owners.size() > 1) {
        shared.add(c.getPackageName() + " " + owners);
      }
    }
    assertThat(classes.size()).as("the main classes of every module were read").isGreaterThan(1000);
    assertThat(unowned).as("packages no module of ModuleWallsTest.MODULES owns (list the new module there)")
        .isEmpty();
    assertThat(shared).as("packages two modules of ModuleWallsTest.MODULES claim").isEmpty();
  }

  /** {@code dev.spindle.X.internal..} is used only by the module that owns it (and {@link #ADMITTED}). */
  @Test
  void internalPackagesAreUsedOnlyByTheirOwnModule() {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, List<String>> module : MODULES.entrySet()) {
      String[] own = module.getValue().toArray(String[]::new);
      List<String> allowed = new ArrayList<>(module.getValue());
      allowed.addAll(ADMITTED.getOrDefault(module.getKey(), List.of()));
      violations.addAll(noClasses().that(not(resideInAnyPackage(allowed.toArray(String[]::new))))
          .should().dependOnClassesThat(resideInAnyPackage(own).and(resideInAPackage("..internal..")))
          .evaluate(classes).getFailureReport().getDetails().stream()
          .map(d -> module.getKey() + " internals used: " + d).toList());
    }
    assertThat(violations).as("uses of another module's internal packages").isEmpty();
  }

  private static List<String> owners(JavaClass c) {
    List<String> owners = new ArrayList<>();
    for (Map.Entry<String, List<String>> module : MODULES.entrySet()) {
      if (resideInAnyPackage(module.getValue().toArray(String[]::new)).test(c)) {
        owners.add(module.getKey());
      }
    }
    return owners;
  }
}
