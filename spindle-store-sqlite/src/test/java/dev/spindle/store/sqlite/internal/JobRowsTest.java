package dev.spindle.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.store.jdbc.internal.SqlRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SQL encoding of the state machine agrees with {@link JobState}: one code per state, the
 * named conditions select exactly the states they name (evaluated by SQLite), and no statement of
 * the store spells a state code as a literal.
 */
class JobRowsTest {
  @Test
  void everyStateHasItsOwnCodeBothWays() {
    Set<Integer> codes = new java.util.HashSet<>();
    for (JobState s : JobState.values()) {
      int code = JobRows.code(s);
      assertThat(JobRows.state(code)).isEqualTo(s);
      assertThat(codes.add(code)).as("code %s of %s is unique", code, s).isTrue();
    }
    int[] named = {JobRows.WAITING, JobRows.SCHEDULED, JobRows.QUEUED, JobRows.RUNNING, JobRows.SUCCEEDED, JobRows.FAILED,
        JobRows.DEAD, JobRows.CANCELLED};
    for (int i = 0; i < named.length; i++) {
      assertThat(JobRows.state(named[i]).name()).isEqualTo(JobState.values()[i].name());
    }
  }

  @Test
  void aSetBasedMoveIsCheckedAgainstTheTable() {
    assertThat(JobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED)).isEqualTo("state = " + JobRows.SUCCEEDED);
    for (JobState from : JobState.values()) {
      for (JobState to : JobState.values()) {
        if (!from.canMoveTo(to)) {
          assertThatThrownBy(() -> JobRows.moveTo(from, to)).isInstanceOf(IllegalJobTransitionException.class)
              .hasMessageContaining(from + " to " + to);
        }
      }
    }
  }

  @Test
  void theNamedConditionsSelectTheStatesTheyName() throws SQLException {
    assertThat(select(JobRows.IS_TERMINAL)).isEqualTo(JobState.terminalStates());
    assertThat(select(JobRows.IS_WAITING)).isEqualTo(
        Stream.of(JobState.values()).filter(JobState::isWaiting).collect(Collectors.toSet()));
    assertThat(select(JobRows.IS_SUCCESS_LIKE)).containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.CANCELLED);
    assertThat(select(JobRows.IS_FAILURE_LIKE)).containsExactlyInAnyOrder(JobState.FAILED, JobState.DEAD);
  }

  /** SqlRules renders JobRules: each retention condition selects its kind's states, each end its TTL. */
  @Test
  void theRetentionRulesAreJobRules() throws SQLException {
    for (JobRules.Kept kept : JobRules.Kept.values()) {
      assertThat(select(SqlRules.keptAs(kept))).as("kept %s", kept).isEqualTo(kept.states());
    }
    for (JobState end : JobState.terminalStates()) {
      assertThat(SqlRules.ttlOf(end)).as("TTL of %s", end)
          .isEqualTo(JobRules.isSuccessLike(end) ? JobRows.RESULT_TTL : JobRows.FAILURE_TTL);
    }
    assertThat(SqlRules.stateIn(EnumSet.of(JobState.CANCELLED, JobState.WAITING)))
        .isEqualTo("state IN (" + JobRows.WAITING + ", " + JobRows.CANCELLED + ")");
    assertThatThrownBy(() -> SqlRules.stateIn(Set.of())).isInstanceOf(IllegalArgumentException.class);
  }

  /** The states whose codes satisfy an SQL condition on {@code state}, as SQLite evaluates it. */
  private static Set<JobState> select(String condition) throws SQLException {
    String values = Stream.of(JobState.values()).map(s -> "(" + JobRows.code(s) + ")")
        .collect(Collectors.joining(", "));
    Set<JobState> out = EnumSet.noneOf(JobState.class);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("WITH t(state) AS (VALUES " + values + ") SELECT state FROM t WHERE "
            + condition)) {
      while (rs.next()) {
        out.add(JobRows.state(rs.getInt(1)));
      }
    }
    return out;
  }

  @Test
  void noStatementSpellsAStateCodeAsALiteral() throws IOException {
    Pattern literal = Pattern.compile("state\\s*(=|<>|!=|>=|<=|<|>|IN\\s*\\()\\s*\\d", Pattern.CASE_INSENSITIVE);
    List<Path> sources;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).isNotEmpty();
    for (Path p : sources) {
      Matcher m = literal.matcher(Files.readString(p));
      assertThat(m.find()).as("%s spells a state code as a literal: %s", p, m.find(0) ? m.group() : "").isFalse();
    }
  }
}
