package dev.spindle.queue.internal;

import dev.spindle.queue.KeyRing;
import dev.spindle.queue.MissingKeyException;
import dev.spindle.queue.PayloadTamperedException;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.NewJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encrypts payloads on their way to the store and decrypts them on their way back, for the producer,
 * the worker and the result reader: arguments and results are sealed under the {@link KeyRing}'s
 * primary key and bound to their task. Without a ring nothing is sealed; plaintext passes through
 * either way, so encrypted and plain jobs coexist. Stateless and thread-safe.
 */
public final class Sealing {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Sealing() {}

  /** The jobs with their own arguments sealed (dependency-fed inputs are written by the store). */
  public static List<NewJob> sealArgs(@Nullable KeyRing ring, List<NewJob> jobs) {
    if (ring == null) {
      return jobs;
    }
    List<NewJob> out = new ArrayList<>(jobs.size());
    for (NewJob j : jobs) {
      out.add(j.input() != WorkflowInput.ARGS ? j : new NewJob(j.task(), ring.encrypt(KeyRing.ARGS, j.task(),
          j.argsJson()), j.queue(), j.priority(), j.runAt(), j.uniqueKey(), j.policy(), j.createdAt(), j.dependsOn(),
          j.input(), j.traceContext(), j.flowKey()));
    }
    return out;
  }

  /**
   * The plaintext of a job's arguments: an envelope of its own arguments (bound to {@code task}),
   * or a workflow input holding its dependencies' encrypted results (each bound to the task that
   * produced it). Call only if {@link KeyRing#mayHoldEncrypted}.
   *
   * @throws MissingKeyException if a key is missing (or there is no ring)
   * @throws PayloadTamperedException if an envelope was altered or moved from another task
   */
  public static String openArgs(@Nullable KeyRing ring, String task, String json) {
    if (KeyRing.isEncrypted(json)) {
      return open(ring, task, json);
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JacksonException e) {
      return json; // not JSON: binding reports it
    }
    return MAPPER.writeValueAsString(openTree(ring, task, tree));
  }

  /**
   * The plaintext of a result read back by a client.
   *
   * @throws MissingKeyException if the key is missing (or there is no ring)
   * @throws PayloadTamperedException if the envelope was altered or is bound to another task
   */
  public static String openResult(@Nullable KeyRing ring, String task, String json) {
    return KeyRing.isEncrypted(json) ? decrypt(ring, KeyRing.RESULT, task, json) : json;
  }

  /** The result sealed under the ring's primary key and bound to {@code task}. */
  public static String sealResult(KeyRing ring, String task, String json) {
    return ring.encrypt(KeyRing.RESULT, task, json);
  }

  private static String open(@Nullable KeyRing ring, String task, String envelope) {
    // a job's own arguments are bound to its task; a dependency's result to the task that produced
    // it (the kind is authenticated: a kind changed here fails to decrypt)
    return envelope.contains("\"kind\":\"" + KeyRing.RESULT + "\"") ? decrypt(ring, KeyRing.RESULT, null, envelope)
        : decrypt(ring, KeyRing.ARGS, task, envelope);
  }

  private static String decrypt(@Nullable KeyRing ring, String kind, @Nullable String task, String envelope) {
    if (ring == null) {
      throw new MissingKeyException(KeyRing.keyIdOf(envelope), Set.of());
    }
    return ring.decrypt(kind, task, envelope);
  }

  private static JsonNode openTree(@Nullable KeyRing ring, String task, JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has(KeyRing.MARKER)) {
        String plain = open(ring, task, MAPPER.writeValueAsString(o));
        try {
          return MAPPER.readTree(plain);
        } catch (JacksonException e) {
          throw new PayloadTamperedException("an encrypted payload decrypted to text that is not JSON");
        }
      }
      for (Map.Entry<String, JsonNode> e : new ArrayList<>(o.properties())) {
        o.set(e.getKey(), openTree(ring, task, e.getValue()));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, openTree(ring, task, a.get(i)));
      }
    }
    return node;
  }
}
