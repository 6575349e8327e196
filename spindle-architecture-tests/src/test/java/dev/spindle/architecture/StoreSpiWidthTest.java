package dev.spindle.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Keeps the store SPI narrow: the hot-path {@link JobStore} a backend implements has at most 20
 * abstract methods (what producers and workers call), and no default method of the store SPIs
 * throws {@link UnsupportedOperationException}: a store that lacks a capability says so in its types
 * (an empty {@code Optional}), which the dashboard and the CLI show as "not supported by this store".
 */
class StoreSpiWidthTest {
  /** The most abstract methods {@link JobStore} may have. */
  static final int MAX_JOB_STORE_METHODS = 20;

  @Test
  void theHotPathStoreHasAtMostTwentyAbstractMethods() {
    assertThat(abstractMethods(JobStore.class)).as("abstract methods of JobStore").isLessThanOrEqualTo(
        MAX_JOB_STORE_METHODS);
  }

  @Test
  void noDefaultOfTheStoreSpisThrowsUnsupportedOperation() {
    JavaClasses spi = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importClasses(JobStore.class, StoreAdmin.class, StoreBackend.class, JobInspector.class,
            QueueControl.class, AuditLog.class, JobStatistics.class, FlowControl.class, FlowAdmin.class);
    noClasses().should().callConstructor(UnsupportedOperationException.class)
        .orShould().callConstructor(UnsupportedOperationException.class, String.class)
        .check(spi);
  }

  /** Abstract methods declared or inherited by the interface {@code type}, {@code Object}'s aside. */
  static long abstractMethods(Class<?> type) {
    return Arrays.stream(type.getMethods()).filter(m -> Modifier.isAbstract(m.getModifiers()))
        .filter(m -> !isObjectMethod(m)).count();
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
