package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashRingTest {
  private static final int KEYS = 100_000;

  @Test
  void addingAFourthMemberToThreeMovesAQuarterOfTheKeysAndOnlyToTheNewMember() {
    HashRing three = HashRing.builder().add("a").add("b").add("c").build();
    HashRing four = three.with("d", 1);
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      String key = "https://example.org/page/" + i;
      String before = three.owner(key).orElseThrow();
      String after = four.owner(key).orElseThrow();
      if (!before.equals(after)) {
        moved++;
        assertThat(after).as("a moved key goes to the new member").isEqualTo("d");
      }
    }
    double fraction = moved / (double) KEYS;
    System.out.printf("4th member of 3: %d of %d keys moved (%.2f %%)%n", moved, KEYS, fraction * 100);
    assertThat(fraction).isBetween(0.20, 0.30);
  }

  @Test
  void removingAMemberMovesOnlyItsKeys() {
    HashRing four = HashRing.builder().add("a").add("b").add("c").add("d").build();
    HashRing three = four.without("b");
    for (int i = 0; i < 20_000; i++) {
      String key = "k" + i;
      String before = four.owner(key).orElseThrow();
      if (!before.equals("b")) {
        assertThat(three.owner(key)).contains(before);
      }
    }
  }

  @Test
  void weightsShareKeysInProportion() {
    HashRing ring = HashRing.builder().add("small", 1).add("big", 3).build();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      counts.merge(ring.owner("key-" + i).orElseThrow(), 1, Integer::sum);
    }
    assertThat(counts.get("big") / (double) KEYS).isBetween(0.70, 0.80);
  }

  @Test
  void ownersAreTheSameForEveryRingBuiltFromTheSameMembers() {
    HashRing x = HashRing.builder().add("a").add("b").add("c").build();
    HashRing y = HashRing.builder().add("c").add("a").add("b").build();
    for (int i = 0; i < 1000; i++) {
      assertThat(x.owner("k" + i)).isEqualTo(y.owner("k" + i));
    }
    assertThat(HashRing.builder().build().owner("k")).isEmpty();
  }

  @Test
  void builderRefusesBadSettings() {
    assertThatThrownBy(() -> HashRing.builder().virtualNodes(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HashRing.builder().add("a", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HashRing.builder().add(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
