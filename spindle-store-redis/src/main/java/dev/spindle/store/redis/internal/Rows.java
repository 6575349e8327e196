package dev.spindle.store.redis.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.spi.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the rows the Lua scripts return. A job row is {@code {id, record JSON, args, result,
 * error}} (a claim's row stops after the args): the record is the job's JSON record as lib.lua
 * writes it (keys {@code t q s p u n f l fe w c ct ra st fi ex fs d po df}), the payloads are raw
 * JSON text or {@code null}. A schedule row is {@code {name, definition, next, last, version,
 * created}}. Stateless and thread-safe.
 */
public final class Rows {
  private static final JsonMapper JSON = JsonCodec.defaults().mapper();

  private Rows() {}

  /** A job from a row; {@code policies} resolves policy ids. */
  public static JobInfo job(List<?> row, Function<String, JobPolicy> policies) {
    String id = (String) row.get(0);
    String args = row.size() > 2 ? (String) row.get(2) : null;
    String result = row.size() > 3 ? (String) row.get(3) : null;
    String error = row.size() > 4 ? (String) row.get(4) : null;
    return job(id, (String) row.get(1), args, result, error, policies);
  }

  /** A job from its record and payloads. */
  public static JobInfo job(String id, String record, String args, String result, String error,
      Function<String, JobPolicy> policies) {
    String t = null;
    String q = null;
    String s = null;
    String u = null;
    String w = null;
    String ct = null;
    String ra = null;
    String st = null;
    String fi = null;
    String ex = null;
    String d = null;
    String po = null;
    int p = 0;
    int n = 0;
    int f = 0;
    int l = 0;
    long fe = 0;
    long fs = 0;
    boolean c = false;
    try (JsonParser in = JSON.createParser(record)) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        throw new StoreException(StoreException.Reason.CORRUPT, "job " + id + " has a malformed record: " + record);
      }
      String key;
      while ((key = in.nextName()) != null) {
        JsonToken v = in.nextToken();
        switch (key) {
          case "t" -> t = in.getString();
          case "q" -> q = in.getString();
          case "s" -> s = in.getString();
          case "u" -> u = in.getString();
          case "w" -> w = in.getString();
          case "ct" -> ct = in.getString();
          case "ra" -> ra = in.getString();
          case "st" -> st = in.getString();
          case "fi" -> fi = in.getString();
          case "ex" -> ex = in.getString();
          case "d" -> d = in.getString();
          case "po" -> po = in.getString();
          case "p" -> p = (int) number(in, v);
          case "n" -> n = (int) number(in, v);
          case "f" -> f = (int) number(in, v);
          case "l" -> l = (int) number(in, v);
          case "fe" -> fe = number(in, v);
          case "fs" -> fs = number(in, v);
          case "c" -> c = number(in, v) != 0;
          default -> in.skipChildren();
        }
      }
    } catch (JacksonException e) {
      throw new StoreException(StoreException.Reason.CORRUPT, "job " + id + " has a malformed record: " + record, e);
    }
    return new JobInfo(id, t, q, JobState.valueOf(s), p, args, result, error, d, u, n, f, l, fe, w, c,
        Times.instant(ct), Times.instant(ra), Times.instant(st), Times.instant(fi), Times.instant(ex), fs,
        policies.apply(po));
  }

  private static long number(JsonParser in, JsonToken v) {
    if (v == JsonToken.VALUE_STRING) {
      return Long.parseLong(in.getString());
    }
    if (v == JsonToken.VALUE_NUMBER_INT) {
      return in.getLongValue();
    }
    return (long) in.getDoubleValue(); // cjson writes large integers in exponent form
  }

  /** Jobs from a list of rows. */
  public static List<JobInfo> jobs(Object rows, Function<String, JobPolicy> policies) {
    List<?> list = (List<?>) rows;
    List<JobInfo> out = new ArrayList<>(list.size());
    for (Object r : list) {
      out.add(job((List<?>) r, policies));
    }
    return out;
  }

  /** A schedule from a row. */
  public static ScheduleRecord schedule(List<?> r) {
    return new ScheduleRecord((String) r.get(0), (String) r.get(1), Times.instant((String) r.get(2)),
        Times.instant((String) r.get(3)), Long.parseLong((String) r.get(4)), Times.instant((String) r.get(5)));
  }
}
