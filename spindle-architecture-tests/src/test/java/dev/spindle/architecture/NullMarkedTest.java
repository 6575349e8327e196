package dev.spindle.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * Every main package of every module is JSpecify {@code @NullMarked} in its {@code package-info},
 * so NullAway (which the build runs with {@code OnlyNullMarked}) checks all main code: a new package
 * without the annotation, or without a {@code package-info}, fails here. Generated packages (JMH's
 * {@code jmh_generated}) are not checked.
 */
class NullMarkedTest {
  @Test
  void everyMainPackageIsNullMarked() {
    JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.spindle");
    Set<String> packages = new TreeSet<>();
    Set<String> unmarked = new TreeSet<>();
    for (JavaClass c : classes) {
      String p = c.getPackageName();
      if (p.endsWith(".jmh_generated")) {
        continue; // written by the JMH annotation processor, outside NullAway's scope too
      }
      if (packages.add(p) && !c.getPackage().isAnnotatedWith(NullMarked.class)) {
        unmarked.add(p);
      }
    }
    assertThat(packages).as("the main packages were read").hasSizeGreaterThan(60);
    assertThat(unmarked).as("main packages without @NullMarked in their package-info").isEmpty();
  }
}
