package dev.spindle.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BalancedOrdersTest {
  /** Every order runs every variant once; each variant is in each position, and right after each other one, equally often. */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4, 5, 6, 7})
  void everyVariantFollowsEveryOtherAndTakesEveryPositionEquallyOften(int n) {
    List<int[]> orders = BalancedOrders.of(n);
    assertThat(orders).hasSize(n % 2 == 0 ? n : 2 * n);
    int[][] follows = new int[n][n];
    int[][] positions = new int[n][n];
    for (int[] order : orders) {
      assertThat(Arrays.stream(order).sorted().toArray()).as("a permutation").containsExactly(
          java.util.stream.IntStream.range(0, n).toArray());
      for (int k = 0; k < n; k++) {
        positions[order[k]][k]++;
        if (k > 0) {
          follows[order[k - 1]][order[k]]++;
        }
      }
    }
    int perPair = orders.size() * (n - 1) / (n * (n - 1));
    int perPosition = orders.size() / n;
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        assertThat(follows[a][b]).as("%d right before %d", a, b).isEqualTo(a == b ? 0 : perPair);
        assertThat(positions[a][b]).as("%d in position %d", a, b).isEqualTo(perPosition);
      }
    }
  }

  @Test
  void threeVariantsTakeSixOrders() {
    assertThat(BalancedOrders.of(3)).containsExactly(new int[] {0, 1, 2}, new int[] {1, 2, 0}, new int[] {2, 0, 1},
        new int[] {2, 1, 0}, new int[] {0, 2, 1}, new int[] {1, 0, 2});
    assertThat(BalancedOrders.of(1)).containsExactly(new int[] {0});
    assertThatThrownBy(() -> BalancedOrders.of(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
