package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobState;
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

  @Test
  void aLibraryWithoutThePlaceholderIsRefused() {
    assertThatThrownBy(() -> LuaStateMachine.inline("local P = KEYS[1]\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(LuaStateMachine.PLACEHOLDER);
    assertThat(LuaStateMachine.inline("a\n" + LuaStateMachine.PLACEHOLDER + "\nb\n"))
        .isEqualTo("a\n" + LuaStateMachine.render() + "b\n");
  }
}
