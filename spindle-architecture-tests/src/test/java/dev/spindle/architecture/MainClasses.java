package dev.spindle.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** Spindle's main classes (no tests), imported once for every architecture rule of this JVM. */
final class MainClasses {
  private static JavaClasses classes;

  private MainClasses() {}

  static synchronized JavaClasses get() {
    if (classes == null) {
      classes = new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.spindle");
    }
    return classes;
  }
}
