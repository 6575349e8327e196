package dev.spindle.examples.primes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class PrimeReportTest {
  @Test
  void headersNameTheModelLikeTheText() {
    assertThat(PrimeReport.header(ExecutionModel.SEQUENTIAL, 1, 20)).isEqualTo("Checking 20 numbers sequentially:");
    assertThat(PrimeReport.header(ExecutionModel.PROCESSES, 2, 20)).isEqualTo("Checking 20 numbers with 2 processes:");
    assertThat(PrimeReport.header(ExecutionModel.PROCESSES, 12, 20)).isEqualTo("Checking 20 numbers with 12 processes:");
    assertThat(PrimeReport.header(ExecutionModel.THREADS, 2, 20)).isEqualTo("Checking 20 numbers with 2 threads:");
    assertThat(PrimeReport.header(ExecutionModel.VIRTUAL, 2, 20)).isEqualTo("Checking 20 numbers with 2 virtual threads:");
    assertThat(PrimeReport.header(ExecutionModel.VIRTUAL, 0, 12)).isEqualTo("Checking 12 numbers with 12 virtual threads:");
    assertThatThrownBy(() -> PrimeReport.header(ExecutionModel.DISTRIBUTED, 2, 20))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rowsHaveTheTextsColumns() {
    assertThat(PrimeReport.row(new PrimeResult(2, true, 0.000001))).isEqualTo("               2  P  0.000001s");
    assertThat(PrimeReport.row(new PrimeResult(142702110479723L, true, 0.568328)))
        .isEqualTo(" 142702110479723  P  0.568328s");
    assertThat(PrimeReport.row(new PrimeResult(3333333333333333L, false, 0.000007)))
        .isEqualTo("3333333333333333     0.000007s");
    assertThat(PrimeReport.row(new PrimeResult(7777777777777753L, true, 8.4)))
        .isEqualTo("7777777777777753  P  8.400000s");
    assertThat(PrimeReport.row(new PrimeResult(4444444444444444409L, true, 3.05)))
        .isEqualTo("4444444444444444409  P  3.050000s");
  }

  @Test
  void footersDifferBetweenSequentialAndConcurrent() {
    assertThat(PrimeReport.footer(ExecutionModel.SEQUENTIAL, 20, 1.334)).isEqualTo("Total time: 1.33s");
    assertThat(PrimeReport.footer(ExecutionModel.PROCESSES, 20, 9.58)).isEqualTo("20 checks in 9.58s");
    assertThat(PrimeReport.footer(ExecutionModel.THREADS, 20, 0.525)).isEqualTo("20 checks in 0.53s");
  }

  @Test
  void formatsIgnoreTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertThat(PrimeReport.row(new PrimeResult(2, true, 0.5))).isEqualTo("               2  P  0.500000s");
      assertThat(PrimeReport.footer(ExecutionModel.THREADS, 20, 0.5)).isEqualTo("20 checks in 0.50s");
    } finally {
      Locale.setDefault(saved);
    }
  }
}
