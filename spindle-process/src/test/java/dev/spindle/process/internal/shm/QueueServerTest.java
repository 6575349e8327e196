package dev.spindle.process.internal.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue server on its own: what it does with bad requests and failed accepts. */
@Timeout(60)
class QueueServerTest {
  @Test
  void aRequestTooShortForItsHeaderIsRefusedAndTheServerGoesOn() throws Exception {
    LocalQueue queue = new LocalQueue(0);
    try (QueueServer server = new QueueServer(SharedFiles.newPath("queue"), queue);
        QueueClient client = new QueueClient(server.socket());
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(server.socket()));
      // a 1-byte body: an op but no timeout (a request needs 9 bytes)
      ch.write(ByteBuffer.allocate(5).putInt(1).put(QueueWire.SIZE).flip());

      ByteBuffer answer = QueueWire.read(ch);
      assertThat(answer).as("an answer to the short request").isNotNull();
      assertThat(answer.get()).isEqualTo(QueueWire.ERROR);
      assertThat(new String(QueueWire.rest(answer), StandardCharsets.UTF_8))
          .contains("malformed queue request").contains("1 byte");
      assertThat(QueueWire.read(ch)).as("the connection is closed after the error").isNull();

      assertThat(client.call(QueueWire.PUT, 0, new byte[] {7}).status()).isEqualTo(QueueWire.OK);
      QueueClient.Response size = client.call(QueueWire.SIZE, 0, null);
      assertThat(size.status()).isEqualTo(QueueWire.OK);
      assertThat(ByteBuffer.wrap(size.payload()).getLong()).isEqualTo(1);
    }
  }

  @Test
  void failedAcceptsAreSurvivedAndTheServerGoesOnAccepting() throws Exception {
    AtomicInteger failures = new AtomicInteger();
    QueueServer.Acceptor flaky = server -> {
      if (failures.getAndIncrement() < 3) {
        throw new IOException("Too many open files");
      }
      return server.accept();
    };
    try (QueueServer server = new QueueServer(SharedFiles.newPath("queue"), new LocalQueue(0), flaky);
        QueueClient client = new QueueClient(server.socket())) {
      CompletableFuture<QueueClient.Response> size = CompletableFuture.supplyAsync(() -> {
        try {
          return client.call(QueueWire.SIZE, 0, null);
        } catch (InterruptedException e) {
          throw new CompletionException(e);
        }
      });
      assertThat(size.get(20, TimeUnit.SECONDS).status()).isEqualTo(QueueWire.OK);
      assertThat(failures).hasValueGreaterThan(3);
    }
  }

  @Test
  void closingTheServerEndsItsAcceptLoopEvenWhileAcceptsFail() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    QueueServer.Acceptor broken = server -> {
      attempts.incrementAndGet();
      throw new IOException("Too many open files");
    };
    QueueServer server = new QueueServer(SharedFiles.newPath("queue"), new LocalQueue(0), broken);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> attempts.get() >= 3);
      assertThat(server.isAccepting()).isTrue();
    } finally {
      server.close();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> !server.isAccepting());
  }
}
