package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSourceTest {
  @Test
  void namesComeFromTheLastPathSegment() {
    List<ImageSource> s = ImageSource.plan(List.of("https://cdn.example/SampleImages/IMG_1234.jpg?dl=1",
        "http://h/a/b/c%20d.png"));
    assertThat(s).extracting(ImageSource::fileName).containsExactly("IMG_1234.jpg", "c_d.png");
    assertThat(s.get(0).stem()).isEqualTo("IMG_1234");
  }

  @Test
  void collidingNamesGetNumberedSoNothingIsOverwritten() {
    List<ImageSource> s = ImageSource.plan(List.of("http://a/x/photo.jpg", "http://b/y/photo.jpg", "http://c/PHOTO.jpeg"));
    assertThat(s).extracting(ImageSource::fileName).containsExactly("photo.jpg", "photo-2.jpg", "PHOTO-3.jpeg");
  }

  @Test
  void pathTraversalAndHiddenNamesAreNeutralised() {
    List<ImageSource> s = ImageSource.plan(List.of("http://h/..%2F..%2Fetc%2Fpasswd", "http://h/.hidden.jpg", "http://h/"));
    assertThat(s.get(0).fileName()).doesNotContain("/").doesNotStartWith(".");
    assertThat(s.get(1).fileName()).isEqualTo("hidden.jpg");
    assertThat(s.get(2).fileName()).isEqualTo("image-3");
  }

  @Test
  void invalidUrlsAreMarkedWithTheReason() {
    List<ImageSource> s = ImageSource.plan(List.of("ftp://h/a.jpg", "not a url", "http:///nohost.jpg", ""));
    assertThat(s).allMatch(x -> !x.valid());
    assertThat(s.get(0).invalidReason()).contains("only http and https");
    assertThat(s.get(1).invalidReason()).contains("malformed");
    assertThat(s.get(3).invalidReason()).contains("empty");
  }
}
