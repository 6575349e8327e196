package dev.spindle.process.internal.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
}
