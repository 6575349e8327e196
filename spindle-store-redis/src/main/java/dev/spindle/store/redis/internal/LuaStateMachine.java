package dev.spindle.store.redis.internal;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobState;
import java.util.StringJoiner;

/**
 * Renders {@link JobState}'s state machine as Lua, so the scripts check transitions against the
 * one table in Java: {@code TERMINAL[state]} is true for terminal states and
 * {@code ALLOWED[from][to]} for allowed moves; and {@link DependencyPolicy#effectOf} as
 * {@code EFFECT[policy code][terminal state]}: {@code 'S'} satisfied, {@code 'F'} satisfied by a
 * failure, {@code 'C'} the dependent is cancelled (a policy's code is {@link #policyCode}).
 * {@code lib.lua} holds the placeholder line
 * {@value #PLACEHOLDER}, which {@link #inline} replaces. Stateless; thread-safe.
 */
public final class LuaStateMachine {
  /** The line of {@code lib.lua} the tables replace. */
  public static final String PLACEHOLDER = "--@JOB_STATE_TABLES@";

  private LuaStateMachine() {}

  /** The one-character code a dependency policy is stored and passed to the scripts as. */
  public static char policyCode(DependencyPolicy p) {
    return (char) ('0' + p.ordinal());
  }

  /** The Lua source of the tables {@code TERMINAL}, {@code ALLOWED} and {@code EFFECT}. */
  public static String render() {
    StringJoiner terminal = new StringJoiner(", ", "local TERMINAL = {", "}\n");
    StringJoiner allowed = new StringJoiner(",\n", "local ALLOWED = {\n", "\n}\n");
    for (JobState from : JobState.values()) {
      if (from.isTerminal()) {
        terminal.add(from.name() + " = true");
      }
      StringJoiner to = new StringJoiner(", ", "  " + from.name() + " = {", "}");
      for (JobState target : from.allowedTargets()) {
        to.add(target.name() + " = true");
      }
      allowed.add(to.toString());
    }
    StringJoiner effect = new StringJoiner(",\n", "local EFFECT = {\n", "\n}\n");
    for (DependencyPolicy p : DependencyPolicy.values()) {
      StringJoiner by = new StringJoiner(", ", "  ['" + policyCode(p) + "'] = {", "}");
      for (JobState end : JobState.terminalStates()) {
        by.add(end.name() + " = '" + switch (p.effectOf(end)) {
          case SATISFIED -> 'S';
          case SATISFIED_BY_FAILURE -> 'F';
          case CANCEL -> 'C';
        } + "'");
      }
      effect.add(by.toString());
    }
    return terminal + allowed.toString() + effect;
  }

  /**
   * The library source with its placeholder line replaced by {@link #render()}.
   *
   * @throws IllegalStateException if the source has no placeholder line
   */
  public static String inline(String lib) {
    int at = lib.indexOf("\n" + PLACEHOLDER + "\n");
    if (at < 0) {
      throw new IllegalStateException("lib.lua lacks the line " + PLACEHOLDER + " where JobState's tables go");
    }
    return lib.substring(0, at + 1) + render() + lib.substring(at + PLACEHOLDER.length() + 2);
  }
}
