package dev.spindle.bench;

import dev.spindle.examples.primes.PrimeSweep;
import dev.spindle.examples.spinner.Slow;
import dev.spindle.examples.spinner.SpinnerDemo;
import dev.spindle.examples.spinner.SpinnerModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The price of "power napping" (Fluent Python's spinner_async_nap: 4.9 s instead of 3.3 s): the
 * CPU-bound {@code slow()} on the coroutine model's event loop, without naps (the spinner freezes)
 * and with an {@code Async.yieldNow()} every 50,000 iterations (the spinner lives), and on a platform
 * thread for reference; all in this JVM, interleaved, several rounds. Prints the median
 * time of {@code slow()} and the frames the spinner drew meanwhile.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.SpinnerNapBench [--number 4611686018427387847] [--rounds 3]
 * </pre>
 */
public final class SpinnerNapBench {
  private static final Pattern TIMING =
      Pattern.compile("slow\\(\\) took ([0-9.]+)s(?:; spinner frames while slow\\(\\) ran: (\\d+))?");

  private SpinnerNapBench() {}

  /** Runs the benchmark; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    long number = Slow.TEXT_SCALE_NUMBER;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--number" -> number = Long.parseLong(args[++i].replace("_", ""));
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --number N --rounds R");
      }
    }
    Map<String, SpinnerDemo.Options> variants = new LinkedHashMap<>();
    SpinnerDemo.Options base = SpinnerDemo.Options.defaults().withTiming(true);
    variants.put("thread, no naps", base.withModel(SpinnerModel.THREADS).withPrime(number, false));
    variants.put("coroutine, no naps", base.withModel(SpinnerModel.COROUTINE).withPrime(number, false));
    variants.put("coroutine, naps", base.withModel(SpinnerModel.COROUTINE).withPrime(number, true));
    System.out.printf(Locale.ROOT, "slow() = is_prime(%d), %d rounds, spinner at 10 FPS%n", number, rounds);
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    Map<String, List<Long>> frames = new LinkedHashMap<>();
    variants.keySet().forEach(k -> {
      seconds.put(k, new ArrayList<>());
      frames.put(k, new ArrayList<>());
    });
    for (int r = 0; r < rounds; r++) {
      for (var e : variants.entrySet()) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SpinnerDemo.Options o = e.getValue();
        SpinnerDemo.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Matcher m = TIMING.matcher(bytes.toString(StandardCharsets.UTF_8));
        if (!m.find()) {
          throw new IllegalStateException("no timing line from " + e.getKey() + ": " + bytes);
        }
        Objects.requireNonNull(seconds.get(e.getKey())).add(Double.parseDouble(m.group(1)));
        Objects.requireNonNull(frames.get(e.getKey())).add(m.group(2) == null ? -1 : Long.parseLong(m.group(2)));
        System.out.printf(Locale.ROOT, "  round %d  %-20s %6.2fs  %s frames%n", r + 1, e.getKey(),
            Double.parseDouble(m.group(1)), m.group(2));
      }
    }
    double ref = PrimeSweep.median(Objects.requireNonNull(seconds.get("coroutine, no naps")));
    System.out.printf(Locale.ROOT, "%n%-20s %9s %8s %10s%n", "variant", "median_s", "frames", "vs frozen");
    for (String k : variants.keySet()) {
      double med = PrimeSweep.median(Objects.requireNonNull(seconds.get(k)));
      List<Long> f = new ArrayList<>(frames.get(k));
      f.sort(null);
      System.out.printf(Locale.ROOT, "%-20s %9.2f %8d %+9.0f%%%n", k, med, f.get(f.size() / 2), (med / ref - 1) * 100);
    }
  }
}
