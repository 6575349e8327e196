package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * Streams a response body into a temporary file, refusing it as soon as it exceeds the byte limit
 * or its first bytes are no known image signature. Completes with the byte count; the caller moves
 * the file into place. Any failure or {@link #abort()} closes and deletes the temporary file.
 * Thread-safe (the HTTP client may call from several threads, one at a time; abort may race).
 */
final class FileBodySubscriber implements HttpResponse.BodySubscriber<Long> {
  private final Path tmp;
  private final long maxBytes;
  private final long declaredLength;
  private final @Nullable String contentType;
  private final String what;
  private final CompletableFuture<Long> result = new CompletableFuture<>();
  private final byte[] head = new byte[ImageFormats.SNIFF_BYTES];
  private int headLen;
  private boolean sniffed;
  private @Nullable FileChannel channel;
  private Flow.@Nullable Subscription subscription;
  private long count;
  private boolean finished;
  private @Nullable String format;

  FileBodySubscriber(Path tmp, long maxBytes, long declaredLength, @Nullable String contentType, String what) {
    this.tmp = tmp;
    this.maxBytes = maxBytes;
    this.declaredLength = declaredLength;
    this.contentType = contentType;
    this.what = what;
  }

  /** The sniffed image format, once known. */
  synchronized @Nullable String format() {
    return format;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    if (finished) {
      s.cancel();
      return;
    }
    if (declaredLength > maxBytes) {
      fail(new ImageProblem(FailureReason.TOO_LARGE, String.format(Locale.ROOT,
          "%s: Content-Length %,d bytes exceeds the limit of %,d bytes", what, declaredLength, maxBytes)));
      return;
    }
    try {
      channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      fail(new ImageProblem(FailureReason.IO_ERROR, "cannot create " + tmp + ": " + e, e));
      return;
    }
    s.request(1);
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> buffers) {
    if (finished) {
      return;
    }
    try {
      for (ByteBuffer b : buffers) {
        int n = b.remaining();
        count += n;
        if (count > maxBytes) {
          fail(new ImageProblem(FailureReason.TOO_LARGE, String.format(Locale.ROOT,
              "%s: body exceeds the limit of %,d bytes", what, maxBytes)));
          return;
        }
        if (headLen < head.length) {
          int take = Math.min(n, head.length - headLen);
          b.duplicate().get(head, headLen, take);
          headLen += take;
        }
        if (!sniffed && headLen == head.length && !sniff()) {
          return;
        }
        FileChannel ch = Objects.requireNonNull(channel, "opened in onSubscribe");
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
    } catch (IOException e) {
      fail(new ImageProblem(FailureReason.IO_ERROR, "writing " + tmp + " failed: " + e, e));
      return;
    }
    Objects.requireNonNull(subscription, "set in onSubscribe").request(1);
  }

  private boolean sniff() {
    sniffed = true;
    format = ImageFormats.sniff(head, headLen);
    if (format == null) {
      fail(new ImageProblem(FailureReason.NOT_AN_IMAGE, what + " is not an image: the body starts with "
          + ImageFormats.preview(head, headLen) + (contentType == null ? "" : " (Content-Type " + contentType + ")")));
      return false;
    }
    return true;
  }

  @Override
  public synchronized void onError(Throwable t) {
    fail(t);
  }

  @Override
  public synchronized void onComplete() {
    if (finished) {
      return;
    }
    if (!sniffed && !sniff()) {
      return;
    }
    try {
      Objects.requireNonNull(channel, "opened in onSubscribe").close(); // not forced to disk: the rename makes it visible whole, which is what readers need
    } catch (IOException e) {
      fail(new ImageProblem(FailureReason.IO_ERROR, "writing " + tmp + " failed: " + e, e));
      return;
    }
    finished = true;
    result.complete(count);
  }

  /** Stops the transfer and deletes the temporary file (a timeout or cancellation). */
  synchronized void abort() {
    fail(new java.util.concurrent.CancellationException("download aborted"));
  }

  private void fail(Throwable t) {
    if (finished) {
      return;
    }
    finished = true;
    if (subscription != null) {
      subscription.cancel();
    }
    closeAndDelete();
    result.completeExceptionally(t);
  }

  private void closeAndDelete() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // deleting below is what matters
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // best effort; the name is hidden and ends in .part
    }
  }

  @Override
  public CompletionStage<Long> getBody() {
    return result;
  }
}
