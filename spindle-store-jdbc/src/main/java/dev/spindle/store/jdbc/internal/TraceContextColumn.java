package dev.spindle.store.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A compact column form of a job's W3C trace context, and its table {@code spindle_trace (id,
 * context)}: a row of its own keyed by the job's id, written in the enqueue's transaction ({@link
 * Batch}) and read with the job (a store's {@link SqlJobRows#columns} expression), deleted with it.
 * Not in the job's row for a database that rewrites a whole row on every update (SQLite): a job's
 * row is updated by its claim and its outcome, so a context there would be written twice more.
 *
 * <p>The common form, a version-00 {@code traceparent} without {@code tracestate}
 * ({@code 00-<32 hex>-<16 hex>-<2 hex>}, 55 characters, lowercase as W3C writes it), is a 26-byte
 * BLOB (the version byte 0, the trace id, the span id, the flags); anything else the text itself.
 * Text values of older versions read as before; a text context never starts with byte 0 (it is
 * printable ASCII), so the two forms cannot be confused. Thread-safe: its only state is the
 * last compact value read and its text.
 */
public final class TraceContextColumn {
  /** The SQL expression of a job's context, for a statement on {@code spindle_jobs}. */
  public static final String EXPRESSION = "(SELECT context FROM spindle_trace WHERE spindle_trace.id = spindle_jobs.id)";
  /** Adds a job's context: the job's id, then the context in its stored form. */
  static final String INSERT = "INSERT INTO spindle_trace (id, context) VALUES (?, ?)";
  /** The length of the compact form. */
  static final int COMPACT_BYTES = 26;
  private static final int TEXT_LENGTH = 55;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /**
   * The compact value read last and its text: jobs enqueued together (one span, a fan-out) share a
   * context, so a claim's jobs mostly turn the same bytes into the same string.
   */
  private static volatile @Nullable Decoded lastDecoded;

  /** A compact value (never changed once read) and its text form. */
  private record Decoded(byte[] compact, String text) {}

  private TraceContextColumn() {}

  /** Binds a trace context ({@code null} for none) to a statement's parameter, compact if it can be. */
  public static void bind(PreparedStatement ps, int index, @Nullable String context) throws SQLException {
    byte[] compact = context == null ? null : compact(context);
    if (compact != null) {
      ps.setBytes(index, compact);
    } else {
      ps.setString(index, context);
    }
  }

  /**
   * The trace contexts of the jobs one transaction inserts, written to {@code spindle_trace} in one
   * batch by {@link #write}, before the transaction commits. Not thread-safe: one per insert call.
   */
  public static final class Batch implements SqlEnqueue.Traces {
    private final SqlConn c;
    private final boolean ownStatement;
    private @Nullable PreparedStatement ps;
    private int rows;

    /**
     * @param ownStatement prepare a statement of its own (closed by {@link #close}) instead of the
     *     connection's cached one: for large batches, as the job inserts do
     */
    public Batch(SqlConn c, boolean ownStatement) {
      this.c = c;
      this.ownStatement = ownStatement;
    }

    /** Adds job {@code id}'s context; nothing for {@code null}. */
    @Override
    public void add(long id, @Nullable String context) throws SQLException {
      if (context == null) {
        return;
      }
      PreparedStatement p = ps;
      if (p == null) {
        p = ownStatement ? c.jdbc().prepareStatement(INSERT) : c.ps(INSERT);
        ps = p;
      }
      p.setLong(1, id);
      bind(p, 2, context);
      p.addBatch();
      rows++;
    }

    /** Writes what was added (in the caller's transaction). */
    @Override
    public void write() throws SQLException {
      PreparedStatement p = ps;
      if (p != null && rows > 0) {
        p.executeBatch();
        rows = 0;
      }
    }

    @Override
    public void close() throws SQLException {
      PreparedStatement p = ps;
      if (p != null && ownStatement) {
        p.close();
      }
    }
  }

  /** The trace context stored in a column of the current row, or {@code null}. */
  public static @Nullable String read(ResultSet rs, int column) throws SQLException {
    byte[] b = rs.getBytes(column); // a TEXT value comes back as its bytes, a BLOB as itself
    if (b == null) {
      return null;
    }
    if (b.length == COMPACT_BYTES && b[0] == 0) {
      Decoded d = lastDecoded;
      if (d != null && Arrays.equals(d.compact(), b)) {
        return d.text();
      }
      String text = text(b);
      lastDecoded = new Decoded(b, text);
      return text;
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** The compact form of a context, or {@code null} if it is not a plain version-00 traceparent. */
  static byte @Nullable [] compact(String context) {
    if (context.length() != TEXT_LENGTH || context.charAt(0) != '0' || context.charAt(1) != '0'
        || context.charAt(2) != '-' || context.charAt(35) != '-' || context.charAt(52) != '-') {
      return null;
    }
    byte[] out = new byte[COMPACT_BYTES];
    int o = 1; // out[0] = 0: version 00
    for (int i = 3; i < TEXT_LENGTH; i += 2) {
      if (i == 35 || i == 52) {
        i++; // skip the dash before the span id and before the flags
      }
      int hi = nibble(context.charAt(i));
      int lo = nibble(context.charAt(i + 1));
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[o++] = (byte) (hi << 4 | lo);
    }
    return o == COMPACT_BYTES ? out : null;
  }

  /** The text form of a compact value. */
  static String text(byte[] compact) {
    byte[] out = new byte[TEXT_LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    int o = 3;
    for (int i = 1; i < COMPACT_BYTES; i++) {
      if (i == 17 || i == 25) {
        out[o++] = '-';
      }
      out[o++] = HEX[(compact[i] >> 4) & 0xf];
      out[o++] = HEX[compact[i] & 0xf];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** A lowercase hex digit's value, or -1 (uppercase is kept as text so it reads back unchanged). */
  private static int nibble(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
