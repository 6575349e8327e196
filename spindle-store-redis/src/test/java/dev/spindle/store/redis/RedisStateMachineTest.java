package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.redis.internal.LuaStateMachine;
import dev.spindle.store.redis.internal.Script;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Lua scripts' state machine is {@link JobState}'s: the tables that a real redis-server
 * evaluates, read back from Lua, list exactly the transitions and terminal states of the Java
 * table.
 */
class RedisStateMachineTest {

  private static List<String> javaTransitions() {
    List<String> out = new ArrayList<>();
    for (JobState from : JobState.values()) {
      for (JobState to : JobState.values()) {
        if (from.canMoveTo(to)) {
          out.add(from + ">" + to);
        }
      }
    }
    return out;
  }

  @Test
  void theLuaTablesThatRedisRunsAreJobStatesTable() {
    // the whole library as every script starts with it, then a body that lists its tables
    String lib = Script.CANCEL.body();
    lib = lib.substring(0, lib.indexOf("\n-- ----------------------------------------------------------------"));
    String body = lib + "\nlocal out = {}\n"
        + "for from, tos in pairs(ALLOWED) do for to in pairs(tos) do out[#out + 1] = from .. '>' .. to end end\n"
        + "for s in pairs(TERMINAL) do out[#out + 1] = 'terminal:' .. s end\n"
        + "for from in pairs(ALLOWED) do out[#out + 1] = 'state:' .. from end\n"
        + "return out";
    @SuppressWarnings("unchecked")
    List<String> lua = (List<String>) SharedRedis.server().command("EVAL", body, "1", "{sm}:");
    List<String> expected = new ArrayList<>(javaTransitions());
    for (JobState s : JobState.values()) {
      expected.add("state:" + s);
      if (s.isTerminal()) {
        expected.add("terminal:" + s);
      }
    }
    assertThat(lua).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theLuaSignalAnswersAreDurableRules() {
    String lib = Script.CANCEL.body();
    lib = lib.substring(0, lib.indexOf("\n-- ----------------------------------------------------------------"));
    String body = lib + "\nlocal out = {}\n"
        + "for s, by in pairs(RULES.SIGNAL) do for f, w in pairs(by) do for k, r in pairs(w) do\n"
        + "out[#out + 1] = s .. ':' .. f .. ':' .. k .. '=' .. r end end end\n"
        + "return out";
    @SuppressWarnings("unchecked")
    List<String> lua = (List<String>) SharedRedis.server().command("EVAL", body, "1", "{sm}:");
    DurableRules rules = DurableRules.defaults();
    List<String> expected = new ArrayList<>();
    List<JobState> states = new ArrayList<>(List.of(JobState.values()));
    states.add(null);
    for (JobState s : states) {
      for (boolean full : new boolean[] {false, true}) {
        int pending = full ? rules.maxPendingSignals() : rules.maxPendingSignals() - 1;
        for (boolean waits : new boolean[] {true, false}) {
          expected.add((s == null ? "NONE" : s.name()) + ":" + (full ? "FULL" : "ROOM") + ":" + (waits ? "W" : "N")
              + "=" + rules.onSignal(s, pending, waits));
        }
      }
    }
    assertThat(lua).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theLuaDependencyEffectsAreDependencyPolicys() {
    String lib = Script.CANCEL.body();
    lib = lib.substring(0, lib.indexOf("\n-- ----------------------------------------------------------------"));
    String body = lib + "\nlocal out = {}\n"
        + "for p, by in pairs(EFFECT) do for s, e in pairs(by) do out[#out + 1] = p .. ':' .. s .. '=' .. e end end\n"
        + "return out";
    @SuppressWarnings("unchecked")
    List<String> lua = (List<String>) SharedRedis.server().command("EVAL", body, "1", "{sm}:");
    List<String> expected = new ArrayList<>();
    for (DependencyPolicy p : DependencyPolicy.values()) {
      for (JobState end : JobState.terminalStates()) {
        expected.add(LuaStateMachine.policyCode(p) + ":" + end + "=" + switch (p.effectOf(end)) {
          case SATISFIED -> "S";
          case SATISFIED_BY_FAILURE -> "F";
          case CANCEL -> "C";
        });
      }
    }
    assertThat(lua).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * The Lua rules are {@link JobRules}': where each terminal state is kept, the sets in the order of
   * the retention limits, the state each completion outcome leads to in every circumstance, and the
   * counter of each end; read back from a real redis-server.
   */
  @Test
  void theLuaRulesAreJobRules() {
    String lib = Script.CANCEL.body();
    lib = lib.substring(0, lib.indexOf("\n-- ----------------------------------------------------------------"));
    String body = lib + "\nlocal out = {}\n"
        + "for s, set in pairs(RULES.KEPT) do out[#out + 1] = 'kept:' .. s .. '=' .. set end\n"
        + "for o, by in pairs(RULES.OUTCOME) do for c, s in pairs(by) do out[#out + 1] = o .. c .. '=' .. s end end\n"
        + "for s, n in pairs(RULES.STAT) do out[#out + 1] = 'stat:' .. s .. '=' .. n end\n"
        + "return out";
    @SuppressWarnings("unchecked")
    List<String> lua = (List<String>) SharedRedis.server().command("EVAL", body, "1", "{sm}:");
    List<String> expected = new ArrayList<>();
    for (JobState end : JobState.terminalStates()) {
      expected.add("kept:" + end + "=" + (JobRules.isSuccessLike(end) ? "ok" : "bad"));
      expected.add("stat:" + end + "=" + JobRules.endCounterOf(end));
    }
    expected.add("kept:1=ok");
    expected.add("kept:2=bad");
    for (Completion.Outcome o : Completion.Outcome.values()) {
      for (JobRules.Circumstance c : JobRules.Circumstance.values()) {
        expected.add(LuaStateMachine.outcomeCode(o) + LuaStateMachine.circumstanceCode(c) + "="
            + JobRules.stateAfter(o, c));
      }
    }
    expected.add("stat:STARTED=" + MinuteStats.STARTED);
    expected.add("stat:RETRIED=" + MinuteStats.RETRIED);
    expected.add("stat:WAIT_BASE=" + MinuteStats.WAIT_BASE);
    assertThat(lua).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(JobRules.Kept.values()).as("RULES.KEPT[1], [2] follow Kept's order: maxSucceeded, then maxFailed")
        .containsExactly(JobRules.Kept.AS_SUCCEEDED, JobRules.Kept.AS_FAILED);
  }

  /** The constants rendered into hot paths are JobRules' too, and an unknown one is refused. */
  @Test
  void theScriptConstantsAreJobRules() {
    JobState ok = JobRules.stateAfter(Completion.Outcome.SUCCEEDED, JobRules.Circumstance.PLAIN);
    assertThat(LuaStateMachine.withConstants("'@RULE:SUCCESS_STATE@' @RULE:SUCCESS_SET@ @RULE:SUCCESS_STAT@"))
        .isEqualTo("'" + ok + "' " + (JobRules.isSuccessLike(ok) ? "ok" : "bad") + " " + JobRules.endCounterOf(ok));
    assertThat(Script.EXCHANGE.body()).doesNotContain("@RULE:").contains("'" + ok + "'");
    assertThatThrownBy(() -> LuaStateMachine.withConstants("x = @RULE:NOPE@"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("@RULE:NOPE@");
  }

  @Test
  void aLibraryWithoutThePlaceholderIsRefused() {
    assertThatThrownBy(() -> LuaStateMachine.inline("local P = KEYS[1]\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(LuaStateMachine.PLACEHOLDER);
    assertThat(LuaStateMachine.inline("a\n" + LuaStateMachine.PLACEHOLDER + "\nb\n"))
        .isEqualTo("a\n" + LuaStateMachine.render() + "b\n");
  }
}
