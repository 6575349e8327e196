package dev.spindle.examples.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BankAccountRaceTest {
  @ParameterizedTest
  @EnumSource(value = ExecutionModel.class, names = {"THREADS", "VIRTUAL", "PROCESSES"})
  void aLockOrAnAtomicAddLosesNoUpdate(ExecutionModel model) throws Exception {
    try (TaskExecutor pool = BankAccountRace.startPool(model)) {
      for (Guarding g : new Guarding[] {Guarding.LOCK, Guarding.ATOMIC}) {
        int times = model == ExecutionModel.PROCESSES ? 2_000 : 20_000; // the shared lock backs off up to 1 ms
        BankAccountRace.Outcome o = BankAccountRace.run(pool, g, times);
        assertThat(o.expected()).isEqualTo(50L * times);
        assertThat(o.actual()).as("%s on %s", g, model).isEqualTo(50L * times);
        assertThat(o.correct()).isTrue();
      }
    }
  }

  @Test
  void theUnguardedRunFinishesWithABalanceWithinTheReachableRange() throws Exception {
    // Whether updates are lost depends on timing, so only the bounds are certain: every final
    // balance lies between "all deposits lost" and "all withdrawals lost".
    try (TaskExecutor pool = BankAccountRace.startPool(ExecutionModel.THREADS)) {
      BankAccountRace.Outcome o = BankAccountRace.run(pool, Guarding.NONE, 50_000);
      assertThat(o.actual()).isBetween(-50L * 50_000, 100L * 50_000);
    }
  }

  @Test
  void needsTwoConcurrentWorkers() {
    assertThatThrownBy(() -> BankAccountRace.startPool(ExecutionModel.SEQUENTIAL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two workers");
    try (TaskExecutor pool = BankAccountRace.startPool(ExecutionModel.THREADS)) {
      assertThatThrownBy(() -> BankAccountRace.run(pool, Guarding.NONE, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
