package dev.spindle.store.sqlite.internal;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * How {@code spindle_jobs.trace_context} holds a job's W3C trace context: the common form, a
 * version-00 {@code traceparent} without {@code tracestate} ({@code 00-<32 hex>-<16 hex>-<2 hex>}, 55
 * characters, lowercase as W3C writes it), as a 26-byte BLOB (the version byte 0, the trace id, the
 * span id, the flags); anything else as the text itself. The column is rewritten with its row on
 * every claim and outcome, so the 29 bytes saved per job are 29 bytes fewer in the table pages each
 * of those commits writes to the WAL. Text rows of older versions read as before; a text context
 * never starts with byte 0 (it is printable ASCII), so the two forms cannot be confused. Stateless.
 */
public final class TraceContextColumn {
  /** The length of the compact form. */
  static final int COMPACT_BYTES = 26;
  private static final int TEXT_LENGTH = 55;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

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

  /** The trace context stored in a column of the current row, or {@code null}. */
  public static @Nullable String read(ResultSet rs, int column) throws SQLException {
    byte[] b = rs.getBytes(column); // a TEXT value comes back as its bytes, a BLOB as itself
    if (b == null) {
      return null;
    }
    if (b.length == COMPACT_BYTES && b[0] == 0) {
      return text(b);
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
