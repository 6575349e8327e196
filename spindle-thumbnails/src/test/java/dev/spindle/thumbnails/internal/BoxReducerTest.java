package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoxReducerTest {
  @Test
  void averagesWholeBlocksAndPartialEdgeBlocks() {
    // 5x3 single-channel image, reduced 2x2: output 3x2; the last column/row are partial blocks.
    byte[] d = {
        10, 20, 30, 40, 50,
        30, 40, 50, 60, 70,
        90, 90, 90, 90, (byte) 200};
    Pixels out = BoxReducer.reduce(new Pixels(5, 3, 1, -1, d), 2, 2);
    assertThat(out.width()).isEqualTo(3);
    assertThat(out.height()).isEqualTo(2);
    assertThat(out.data()[0] & 0xff).isEqualTo(25); // (10+20+30+40)/4
    assertThat(out.data()[1] & 0xff).isEqualTo(45); // (30+40+50+60)/4
    assertThat(out.data()[2] & 0xff).isEqualTo(60); // (50+70)/2
    assertThat(out.data()[3] & 0xff).isEqualTo(90); // (90+90)/2
    assertThat(out.data()[5] & 0xff).isEqualTo(200);
  }

  @Test
  void threeChannelPathMatchesTheGenericOne() {
    Pixels src = TestImagesBridge.gradient(101, 53);
    Pixels out = BoxReducer.reduce(src, 4, 4);
    assertThat(out.width()).isEqualTo(26);
    assertThat(out.height()).isEqualTo(14);
    // channel 0 grows with x: block 0 averages x=0..3 of 255*x/100
    int expected = (int) Math.round((0 + 2.55 + 5.1 + 7.65) / 4);
    assertThat(out.data()[0] & 0xff).isBetween(expected - 1, expected + 1);
    assertThat(out.data()[2] & 0xff).isEqualTo(128);
  }

  @Test
  void factorOneReturnsTheSameImage() {
    Pixels src = TestImagesBridge.gradient(10, 10);
    assertThat(BoxReducer.reduce(src, 1, 1)).isSameAs(src);
  }
}
