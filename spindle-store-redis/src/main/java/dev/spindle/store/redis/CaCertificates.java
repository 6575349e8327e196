package dev.spindle.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * Checks the CA certificate file of a TLS configuration ({@code caCert}) when the configuration is
 * built, so a wrong file is named then rather than as a TLS failure on connecting. Stateless.
 */
final class CaCertificates {
  private CaCertificates() {}

  /**
   * Fails unless the file holds at least one X.509 certificate (PEM or DER).
   *
   * @throws IllegalArgumentException saying what is wrong with the file
   */
  static void check(Path file) {
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new IllegalArgumentException("the CA certificate file " + file + " cannot be read");
    }
    String problem;
    try (InputStream in = Files.newInputStream(file)) {
      problem = CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty() ? "it holds none" : null;
    } catch (CertificateException e) {
      problem = "it holds none that can be read";
    } catch (IOException e) {
      problem = "it cannot be read (" + e.getMessage() + ")";
    }
    if (problem != null) {
      throw new IllegalArgumentException("the CA certificate file " + file + " (caCert) must hold the PEM "
          + "certificate(s) of the CA that signed the Redis server's certificate (-----BEGIN CERTIFICATE-----), "
          + "but " + problem);
    }
  }
}
