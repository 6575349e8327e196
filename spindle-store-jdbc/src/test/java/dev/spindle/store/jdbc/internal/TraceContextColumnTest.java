package dev.spindle.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The stored form of trace contexts: a plain version-00 traceparent becomes 26 bytes and reads back
 * as the same text; every other context (tracestate, uppercase, other versions, anything) and the
 * text rows of older versions read back unchanged. Checked through SQLite itself.
 */
class TraceContextColumnTest {
  private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void aPlainTraceparentIsStoredIn26BytesAndReadBackAsTheSameText() throws SQLException {
    try (Connection c = table()) {
      insert(c, 1, PARENT);
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT typeof(ctx), length(ctx) FROM t WHERE id = 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("blob");
        assertThat(rs.getInt(2)).isEqualTo(TraceContextColumn.COMPACT_BYTES);
      }
      assertThat(read(c, 1)).isEqualTo(PARENT);
    }
  }

  @Test
  void everyOtherContextIsStoredAsTextAndReadBackUnchanged() throws SQLException {
    String[] others = {
      PARENT + ";congo=t61rcWkgMzE", // with a tracestate
      PARENT.toUpperCase(java.util.Locale.ROOT), // uppercase hex: kept as written
      "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // another version
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g", // not hex
      "00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01", // not a dash
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-011", // too long
      "x", // anything printable
    };
    try (Connection c = table()) {
      for (int i = 0; i < others.length; i++) {
        insert(c, i, others[i]);
        assertThat(read(c, i)).as(others[i]).isEqualTo(others[i]);
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT typeof(ctx) FROM t WHERE id = " + i)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).as(others[i]).isEqualTo("text");
        }
      }
    }
  }

  @Test
  void textRowsOfOlderVersionsAndNullsReadAsBefore() throws SQLException {
    try (Connection c = table()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, ctx) VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setString(2, PARENT); // as versions before the compact form wrote it
        ps.executeUpdate();
      }
      insert(c, 2, null);
      assertThat(read(c, 1)).isEqualTo(PARENT);
      assertThat(read(c, 2)).isNull();
    }
  }

  @Test
  void runsOfOneContextAndAlternatingContextsEachReadBackAsTheirOwn() throws SQLException {
    String other = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    String[] stored = {PARENT, PARENT, other, PARENT, other, other, null, PARENT};
    try (Connection c = table()) {
      for (int i = 0; i < stored.length; i++) {
        insert(c, i + 1, stored[i]);
      }
      for (int i = 0; i < stored.length; i++) {
        assertThat(read(c, i + 1)).as("row %d", i + 1).isEqualTo(stored[i]);
      }
      String first = read(c, 1);
      assertThat(read(c, 2)).as("a run of one context reads one string").isSameAs(first);
    }
  }

  @Test
  void everyByteValueSurvivesTheRoundTrip() {
    StringBuilder b = new StringBuilder("00-");
    String hex = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
      b.append(hex.charAt((i * 7) % 16));
    }
    b.append('-');
    for (int i = 0; i < 16; i++) {
      b.append(hex.charAt(15 - i));
    }
    b.append("-ff");
    String s = b.toString();
    byte[] compact = TraceContextColumn.compact(s);
    assertThat(compact).hasSize(TraceContextColumn.COMPACT_BYTES);
    assertThat(TraceContextColumn.text(compact)).isEqualTo(s);
  }

  private static Connection table() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, ctx TEXT)"); // the affinity of spindle_jobs.trace_context
    }
    return c;
  }

  private static void insert(Connection c, int id, @Nullable String ctx) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, ctx) VALUES (?, ?)")) {
      ps.setInt(1, id);
      TraceContextColumn.bind(ps, 2, ctx);
      ps.executeUpdate();
    }
  }

  private static @Nullable String read(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT ctx FROM t WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return TraceContextColumn.read(rs, 1);
      }
    }
  }
}
