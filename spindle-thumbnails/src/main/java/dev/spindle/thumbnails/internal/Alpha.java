package dev.spindle.thumbnails.internal;

/** 8-bit alpha premultiplication for four-channel {@link Pixels}, as Pillow does around resizing. */
final class Alpha {
  private Alpha() {}

  static Pixels premultiply(Pixels src) {
    byte[] in = src.data();
    byte[] out = new byte[in.length];
    int ai = src.alphaIndex();
    for (int p = 0; p < in.length; p += 4) {
      int a = in[p + ai] & 0xff;
      for (int c = 0; c < 4; c++) {
        int v = in[p + c] & 0xff;
        out[p + c] = (byte) (c == ai ? a : (v * a + 127) / 255);
      }
    }
    return src.withData(src.width(), src.height(), out);
  }

  static Pixels unpremultiply(Pixels src) {
    byte[] d = src.data();
    int ai = src.alphaIndex();
    for (int p = 0; p < d.length; p += 4) {
      int a = d[p + ai] & 0xff;
      for (int c = 0; c < 4; c++) {
        if (c == ai) {
          continue;
        }
        int v = d[p + c] & 0xff;
        d[p + c] = (byte) (a == 0 ? 0 : Math.min(255, (v * 255 + a / 2) / a));
      }
    }
    return src;
  }
}
