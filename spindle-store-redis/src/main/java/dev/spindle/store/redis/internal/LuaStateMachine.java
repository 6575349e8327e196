package dev.spindle.store.redis.internal;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.SignalResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Renders {@link JobState}'s state machine as Lua, so the scripts check transitions against the
 * one table in Java: {@code TERMINAL[state]} is true for terminal states and
 * {@code ALLOWED[from][to]} for allowed moves; and {@link DependencyPolicy#effectOf} as
 * {@code EFFECT[policy code][terminal state]}: {@code 'S'} satisfied, {@code 'F'} satisfied by a
 * failure, {@code 'C'} the dependent is cancelled (a policy's code is {@link #policyCode}).
 * The rules of {@link JobRules} come with them ({@link #renderRules}), and the answers of {@link
 * DurableRules#onSignal} ({@link #renderSignalRules}).
 * {@code lua/lib/rules.lua} holds the placeholder line
 * {@value #PLACEHOLDER}, which {@link #inline} replaces. Stateless; thread-safe.
 */
public final class LuaStateMachine {
  /** The line of {@code rules.lua} the tables replace. */
  public static final String PLACEHOLDER = "--@JOB_STATE_TABLES@";

  private static final Pattern RULE_CONSTANT = Pattern.compile("@RULE:(\\w+)@");

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
    return terminal + allowed.toString() + effect + renderRules();
  }

  /**
   * The Lua of {@link JobRules}' tables, one table {@code RULES} (the scripts' functions may hold
   * only 60 upvalues): {@code RULES.KEPT[terminal state]} names the sorted set ({@code P .. name})
   * a finished job is kept in, and {@code RULES.KEPT[1]}, {@code RULES.KEPT[2]} those sets in
   * {@link JobRules.Kept} order (the order of purge_expired's limits); {@code
   * RULES.OUTCOME[outcome code][circumstance code]} the state a completion moves its job to; {@code
   * RULES.STAT[terminal state]} the minute counter of an end, and {@code RULES.STAT.STARTED},
   * {@code RETRIED}, {@code WAIT_BASE} the other counters ({@link MinuteStats}).
   */
  static String renderRules() {
    StringJoiner kept = new StringJoiner(", ", "  KEPT = {", "},\n");
    StringJoiner stat = new StringJoiner(", ", "  STAT = {", "}\n");
    for (JobState end : JobState.terminalStates()) {
      kept.add(end.name() + " = '" + keptSet(JobRules.keptAs(end)) + "'");
      stat.add(end.name() + " = " + JobRules.endCounterOf(end));
    }
    for (JobRules.Kept k : JobRules.Kept.values()) {
      kept.add("'" + keptSet(k) + "'");
    }
    stat.add("STARTED = " + MinuteStats.STARTED).add("RETRIED = " + MinuteStats.RETRIED)
        .add("WAIT_BASE = " + MinuteStats.WAIT_BASE);
    StringJoiner outcome = new StringJoiner(",\n", "  OUTCOME = {\n", "\n  },\n");
    for (Completion.Outcome o : Completion.Outcome.values()) {
      StringJoiner by = new StringJoiner(", ", "    " + outcomeCode(o) + " = {", "}");
      for (JobRules.Circumstance c : JobRules.Circumstance.values()) {
        by.add(circumstanceCode(c) + " = '" + JobRules.stateAfter(o, c).name() + "'");
      }
      outcome.add(by.toString());
    }
    return "local RULES = {\n" + kept + outcome + renderSignalRules() + stat + "}\n";
  }

  /**
   * {@code RULES.SIGNAL[state][fullness][waits]}: {@link DurableRules#onSignal}'s answer (a {@link
   * SignalResult} name) for a job in {@code state} ({@code NONE}: no such job), with its pending
   * signals below the limit ({@code ROOM}) or at it ({@code FULL}), waiting for that signal's name
   * ({@code W}) or not ({@code N}). The limit itself is passed to the script with each call.
   */
  static String renderSignalRules() {
    DurableRules rules = DurableRules.defaults();
    StringJoiner signal = new StringJoiner(",\n", "  SIGNAL = {\n", "\n  },\n");
    List<@Nullable JobState> states = new ArrayList<>(List.of(JobState.values()));
    states.add(null);
    for (JobState state : states) {
      StringJoiner byFullness = new StringJoiner(", ", "    " + (state == null ? "NONE" : state.name()) + " = {", "}");
      for (boolean full : new boolean[] {false, true}) {
        int pending = full ? rules.maxPendingSignals() : 0;
        byFullness.add((full ? "FULL" : "ROOM") + " = {W = '" + rules.onSignal(state, pending, true).name()
            + "', N = '" + rules.onSignal(state, pending, false).name() + "'}");
      }
      signal.add(byFullness.toString());
    }
    return signal.toString();
  }

  /**
   * The constants a script's source names as {@code @RULE:NAME@}, rendered from {@link JobRules}
   * (for hot paths, where a table lookup, or one more upvalue than a function may hold, does not
   * fit): {@code SUCCESS_STATE}, the state a success moves its job to; {@code SUCCESS_SET}, the set
   * it is kept in; {@code SUCCESS_STAT}, its minute counter.
   */
  public static Map<String, String> constants() {
    JobState ok = JobRules.stateAfter(Completion.Outcome.SUCCEEDED, JobRules.Circumstance.PLAIN);
    return Map.of("SUCCESS_STATE", ok.name(), "SUCCESS_SET", keptSet(JobRules.keptAs(ok)),
        "SUCCESS_STAT", Integer.toString(JobRules.endCounterOf(ok)));
  }

  /**
   * A script's source with each {@code @RULE:NAME@} replaced by its {@link #constants() constant}.
   *
   * @throws IllegalStateException if the source names a constant there is not
   */
  public static String withConstants(String source) {
    Map<String, String> values = constants();
    Matcher m = RULE_CONSTANT.matcher(source);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalStateException("a script names the rule constant " + m.group() + ", which does not exist");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    return m.appendTail(out).toString();
  }

  /** The name of the sorted set (after the namespace prefix) holding the finished jobs kept as {@code k}. */
  public static String keptSet(JobRules.Kept k) {
    return switch (k) {
      case AS_SUCCEEDED -> "ok";
      case AS_FAILED -> "bad";
    };
  }

  /** The one-letter code a completion's outcome is passed to the scripts as. */
  public static String outcomeCode(Completion.Outcome o) {
    return switch (o) {
      case SUCCEEDED -> "S";
      case RETRY -> "R";
      case FAILED -> "F";
      case DEAD -> "D";
      case CANCELLED -> "C";
      case RELEASED -> "L";
    };
  }

  /** The one-letter code of a completion's circumstance in {@code OUTCOME}. */
  public static String circumstanceCode(JobRules.Circumstance c) {
    return switch (c) {
      case PLAIN -> "P";
      case RETRY_AHEAD -> "A";
      case CANCEL_REQUESTED -> "C";
    };
  }

  /**
   * The library source with its placeholder line replaced by {@link #render()}.
   *
   * @throws IllegalStateException if the source has no placeholder line
   */
  public static String inline(String lib) {
    int at = lib.indexOf("\n" + PLACEHOLDER + "\n");
    if (at < 0) {
      throw new IllegalStateException("rules.lua lacks the line " + PLACEHOLDER + " where JobState's tables go");
    }
    return lib.substring(0, at + 1) + render() + lib.substring(at + PLACEHOLDER.length() + 2);
  }
}
