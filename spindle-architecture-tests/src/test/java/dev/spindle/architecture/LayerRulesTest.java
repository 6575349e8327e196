package dev.spindle.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering every module keeps: an SPI never reaches into internals; applications (CLI,
 * benchmarks, examples) use only API and SPI; no package cycles between modules.
 */
class LayerRulesTest {
  /** Every internal package of every module. */
  static final String[] INTERNALS = {"dev.spindle..internal.."};

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.spindle");
  }

  @Test
  void spiNeverUsesInternals() {
    noClasses().that().resideInAPackage("dev.spindle..spi..")
        .should().dependOnClassesThat().resideInAnyPackage(INTERNALS)
        .check(classes);
  }

  @Test
  void applicationsUseOnlyApiAndSpi() {
    noClasses().that().resideInAnyPackage("dev.spindle.cli..", "dev.spindle.bench..")
        .should().dependOnClassesThat().resideInAnyPackage(INTERNALS)
        .check(classes);
  }

  @Test
  void examplesUseOnlyApiAndSpi() {
    noClasses().that().resideInAnyPackage("dev.spindle.examples..", "dev.spindle.supervisor.examples..")
        .should().dependOnClassesThat(resideInAnyPackage(INTERNALS)
            .and(not(resideInAPackage("dev.spindle.examples.internal.."))))
        .check(classes);
  }

  @Test
  void springIntegrationUsesOnlyApiAndSpiOfTheOtherModules() {
    noClasses().that().resideInAPackage("dev.spindle.spring..")
        .should().dependOnClassesThat(resideInAnyPackage(INTERNALS)
            .and(not(resideInAPackage("dev.spindle.spring.internal.."))))
        .check(classes);
    noClasses().that().resideInAPackage("dev.spindle.spring.sample..")
        .should().dependOnClassesThat().resideInAnyPackage(INTERNALS)
        .check(classes);
  }

  @Test
  void springBaselineApplicationDoesNotUseSpindle() {
    noClasses().that().resideInAPackage("dev.spindle.spring.baseline..")
        .should().dependOnClassesThat(resideInAPackage("dev.spindle..")
            .and(not(resideInAPackage("dev.spindle.spring.baseline.."))))
        .check(classes);
  }

  @Test
  void noCyclesBetweenModules() {
    slices().matching("dev.spindle.(*)..").should().beFreeOfCycles().check(classes);
  }
}
