package dev.spindle.bench.jmh;

import dev.spindle.spi.JsonCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The JSON codec every job's arguments and result go through (Jackson 3 behind
 * {@link JsonCodec}): a small record (a typical job input) and a bare number, each way. Thread-safe
 * (the codec is).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JsonCodecBenchmark {
  /**
   * A typical job input.
   *
   * @param url an image URL
   * @param widths thumbnail widths
   * @param attempt a counter
   */
  public record Input(String url, List<Integer> widths, long attempt) {}

  private final JsonCodec codec = JsonCodec.defaults();
  private final Input input = new Input("https://example.org/photos/IMG_0042.jpg", List.of(200, 64, 32), 3);
  private final String inputJson = codec.toJson(input, "input");
  private final String numberJson = codec.toJson(5_555_555_555_555_503L, "number");

  /** A record to JSON text. */
  @Benchmark
  public String encodeRecord() {
    return codec.toJson(input, "input");
  }

  /** JSON text to the record. */
  @Benchmark
  public Input decodeRecord() {
    return codec.fromJson(inputJson, Input.class, "input");
  }

  /** A long to JSON text. */
  @Benchmark
  public String encodeNumber() {
    return codec.toJson(5_555_555_555_555_503L, "number");
  }

  /** JSON text to a long. */
  @Benchmark
  public Long decodeNumber() {
    return codec.fromJson(numberJson, Long.class, "number");
  }
}
