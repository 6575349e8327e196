package dev.spindle.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering every module keeps: an SPI never reaches into internals; applications (CLI,
 * benchmarks, examples) use only API and SPI; a store reaches its roles through accessors; no
 * package cycles between modules, nor between packages except an API package with its own
 * subpackages.
 */
class LayerRulesTest {
  /** Every internal package of every module. */
  static final String[] INTERNALS = {"dev.spindle..internal.."};

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = MainClasses.get();
  }

  @Test
  void spiNeverUsesInternals() {
    noClasses().that().resideInAPackage("dev.spindle..spi..")
        .should().dependOnClassesThat().resideInAnyPackage(INTERNALS)
        .check(classes);
  }

  /**
   * A store is a {@code JobStore} and nothing more: its inspector, control, audit log and
   * statistics are objects of their own, reached through {@code inspector()}, {@code control()},
   * {@code auditLog()} and {@code statistics()}, so no caller can reach a role by casting the store
   * (the in-memory store, a test double kept whole, is the one exception).
   */
  @Test
  void storesReachTheirRolesThroughAccessorsNotCasts() {
    noClasses().that().implement(dev.spindle.queue.spi.JobStore.class)
        .and().doNotHaveFullyQualifiedName("dev.spindle.queue.memory.InMemoryJobStore")
        .should().implement(dev.spindle.queue.spi.JobInspector.class)
        .orShould().implement(dev.spindle.queue.spi.QueueControl.class)
        .orShould().implement(dev.spindle.queue.spi.AuditLog.class)
        .orShould().implement(dev.spindle.queue.spi.JobStatistics.class)
        .check(classes);
  }

  /**
   * Workers and producers never see the operators' side of a store: the worker and client internals
   * of spindle-queue and its {@code JobQueue} and {@code Worker} depend on the hot-path {@code
   * JobStore} only, not on {@code StoreAdmin}, the backend that carries it, or its roles.
   */
  @Test
  void workersAndProducersNeverSeeTheOperatorsSide() {
    noClasses().that().resideInAPackage("dev.spindle.queue.internal..")
        .or().haveFullyQualifiedName("dev.spindle.queue.JobQueue")
        .or().haveFullyQualifiedName("dev.spindle.queue.Worker")
        .should().dependOnClassesThat().belongToAnyOf(dev.spindle.queue.spi.StoreAdmin.class,
            dev.spindle.queue.spi.StoreBackend.class, dev.spindle.queue.spi.JobInspector.class,
            dev.spindle.queue.spi.QueueControl.class, dev.spindle.queue.spi.AuditLog.class,
            dev.spindle.queue.spi.JobStatistics.class, dev.spindle.queue.spi.FlowAdmin.class,
            dev.spindle.queue.spi.LiveView.class)
        .check(classes);
  }

  @Test
  void applicationsUseOnlyApiAndSpi() {
    noClasses().that().resideInAnyPackage("dev.spindle.cli..", "dev.spindle.bench..")
        .should().dependOnClassesThat().resideInAnyPackage(INTERNALS)
        .check(classes);
  }

  /** The test support (spindle-test) drives the queue as an application would: API and SPI only. */
  @Test
  void testSupportUsesOnlyApiAndSpi() {
    noClasses().that().resideInAPackage("dev.spindle.test..")
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

  /**
   * No cycles between packages either, except the one kind a module is built on: its API package
   * and the packages below it ({@code spi}, {@code internal}, ...) refer to each other (the API
   * facade creates internal objects, which implement API and SPI types). Any other cycle, between
   * sibling packages or across modules, fails.
   */
  @Test
  void noCyclesBetweenPackagesButAnApiAndItsOwnSubpackages() {
    // the package graph without the edges between a package and its own subpackages
    java.util.Map<String, java.util.Set<String>> edges = new java.util.TreeMap<>();
    for (com.tngtech.archunit.core.domain.JavaClass c : classes) {
      String from = c.getPackageName();
      for (com.tngtech.archunit.core.domain.Dependency d : c.getDirectDependenciesFromSelf()) {
        String to = d.getTargetClass().getPackageName();
        if (to.startsWith("dev.spindle.") && !nested(from, to)) {
          edges.computeIfAbsent(from, k -> new java.util.TreeSet<>()).add(to);
        }
      }
    }
    assertThat(edges).as("the package graph was read").hasSizeGreaterThan(40);
    java.util.List<java.util.List<String>> cycles = new java.util.ArrayList<>();
    for (java.util.List<String> scc : stronglyConnected(edges)) {
      if (scc.size() > 1) {
        cycles.add(scc);
      }
    }
    assertThat(cycles).as("package cycles other than an API package with its own subpackages").isEmpty();
  }

  /** True if one package is the other or lies below it. */
  private static boolean nested(String a, String b) {
    return a.equals(b) || a.startsWith(b + ".") || b.startsWith(a + ".");
  }

  /** Tarjan's strongly connected components of a directed graph. */
  private static java.util.List<java.util.List<String>> stronglyConnected(
      java.util.Map<String, java.util.Set<String>> g) {
    java.util.Map<String, Integer> index = new java.util.HashMap<>();
    java.util.Map<String, Integer> low = new java.util.HashMap<>();
    java.util.Deque<String> stack = new java.util.ArrayDeque<>();
    java.util.Set<String> onStack = new java.util.HashSet<>();
    java.util.List<java.util.List<String>> out = new java.util.ArrayList<>();
    int[] counter = {0};
    for (String v : g.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, g, index, low, stack, onStack, out, counter);
      }
    }
    return out;
  }

  private static void connect(String v, java.util.Map<String, java.util.Set<String>> g,
      java.util.Map<String, Integer> index, java.util.Map<String, Integer> low, java.util.Deque<String> stack,
      java.util.Set<String> onStack, java.util.List<java.util.List<String>> out, int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.push(v);
    onStack.add(v);
    for (String w : g.getOrDefault(v, java.util.Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, g, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      java.util.List<String> scc = new java.util.ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      out.add(scc);
    }
  }
}
