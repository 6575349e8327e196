package dev.spindle.spring.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample application: {@code ./spindle spring-sample}, then
 * {@code curl -X POST localhost:8080/orders -H 'Content-Type: application/json' -d '{"item":"tea"}'}.
 * Settings in {@code application.properties} ({@code spindle.*}).
 */
@SpringBootApplication
public class SampleApplication {
  /** For Spring. */
  public SampleApplication() {}

  /**
   * Starts the application.
   *
   * @param args Spring Boot arguments, e.g. {@code --server.port=9090}
   */
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
