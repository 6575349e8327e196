package dev.spindle.queue;

import dev.spindle.Sensitive;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a job's arguments and result are shown to people (the dashboard, the REST API, the command
 * line): the values of sensitive fields become {@value #MASK}, and an encrypted payload
 * ({@link KeyRing}) is shown as {@code {"encrypted":true,"keyId":"k1"}}, never decrypted. A field is
 * sensitive when its task's input or output type marks it {@link Sensitive} ({@link #of}) or when it
 * is named with {@link #withFields} (every task) or {@link #withTaskFields}; a sensitive name is
 * masked at any depth of the JSON. Immutable and thread-safe.
 */
public final class Redaction {
  /** What replaces a sensitive value. */
  public static final String MASK = "***";

  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Redaction NONE = new Redaction(Set.of(), Map.of());

  private final Set<String> everyTask;
  private final Map<String, Set<String>> byTask;

  private Redaction(Set<String> everyTask, Map<String, Set<String>> byTask) {
    this.everyTask = Set.copyOf(everyTask);
    Map<String, Set<String>> m = new HashMap<>();
    byTask.forEach((k, v) -> m.put(k, Set.copyOf(v)));
    this.byTask = Map.copyOf(m);
  }

  /** No sensitive fields; encrypted payloads are still shown as encrypted. */
  public static Redaction none() {
    return NONE;
  }

  /** The fields marked {@link Sensitive} in the input and output types of every task of {@code registry}. */
  public static Redaction of(TaskRegistry registry) {
    Map<String, Set<String>> m = new HashMap<>();
    for (String name : registry.names()) {
      Task<?, ?> t = registry.require(name);
      Set<String> fields = new HashSet<>();
      collect(t.inputType(), fields, new HashSet<>());
      collect(t.outputType(), fields, new HashSet<>());
      if (!fields.isEmpty()) {
        m.put(name, fields);
      }
    }
    return new Redaction(Set.of(), m);
  }

  /** This redaction plus {@code names} masked in every task's payloads. */
  public Redaction withFields(Collection<String> names) {
    Set<String> all = new HashSet<>(everyTask);
    names.forEach(n -> all.add(checkName(n)));
    return new Redaction(all, byTask);
  }

  /** This redaction plus {@code names} masked in the payloads of {@code task}. */
  public Redaction withTaskFields(String task, Collection<String> names) {
    Map<String, Set<String>> m = new HashMap<>(byTask);
    Set<String> s = new HashSet<>(m.getOrDefault(Task.validateName(task), Set.of()));
    names.forEach(n -> s.add(checkName(n)));
    m.put(task, s);
    return new Redaction(everyTask, m);
  }

  private static String checkName(String n) {
    if (Objects.requireNonNull(n, "field name").isBlank()) {
      throw new IllegalArgumentException("a sensitive field name must not be blank");
    }
    return n;
  }

  /** True if {@code field} is masked in some task's payloads (or in every task's). */
  public boolean masksAnywhere(String field) {
    return everyTask.contains(field) || byTask.values().stream().anyMatch(f -> f.contains(field));
  }

  /** The names masked in {@code task}'s payloads. */
  public Set<String> fieldsOf(String task) {
    Set<String> own = byTask.get(task);
    if (own == null) {
      return everyTask;
    }
    Set<String> all = new HashSet<>(everyTask);
    all.addAll(own);
    return all;
  }

  /** The job with its arguments and result as they may be shown. */
  public JobInfo apply(JobInfo j) {
    String args = show(j.task(), j.argsJson());
    String result = show(j.task(), j.resultJson());
    if (Objects.equals(args, j.argsJson()) && Objects.equals(result, j.resultJson())) {
      return j;
    }
    return new JobInfo(j.id(), j.task(), j.queue(), j.state(), j.priority(), Objects.requireNonNull(args),
        result, j.errorJson(), j.deadReason(), j.uniqueKey(), j.attempt(), j.failures(), j.workerLost(), j.fence(),
        j.workerId(), j.cancelRequested(), j.createdAt(), j.runAt(), j.startedAt(), j.finishedAt(), j.expiresAt(),
        j.finishSeq(), j.policy(), j.traceContext());
  }

  /**
   * True if free text the job produced (its progress messages and log lines, {@link JobProgress})
   * must be hidden: its arguments are encrypted, or its task has sensitive fields. Such text cannot
   * be masked field by field, so it is masked whole ({@link JobProgress#masked()}).
   */
  public boolean masksTextOf(JobInfo job) {
    return !fieldsOf(job.task()).isEmpty() || KeyRing.mayHoldEncrypted(job.argsJson());
  }

  /** What {@code job} reported, as it may be shown: masked whole if {@link #masksTextOf} the job. */
  public JobProgress apply(JobInfo job, JobProgress progress) {
    return masksTextOf(job) ? progress.masked() : progress;
  }

  /** {@code json} (a payload of {@code task}) as it may be shown; text that is not JSON is returned as it is. */
  public @Nullable String show(String task, @Nullable String json) {
    if (json == null) {
      return null;
    }
    Set<String> fields = fieldsOf(task);
    if (fields.isEmpty() && !KeyRing.mayHoldEncrypted(json)) {
      return json;
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JacksonException e) {
      return json;
    }
    return tree == null ? json : MAPPER.writeValueAsString(mask(tree, fields));
  }

  private static JsonNode mask(JsonNode node, Set<String> fields) {
    if (node instanceof ObjectNode o) {
      if (o.has(KeyRing.MARKER)) {
        ObjectNode shown = MAPPER.createObjectNode();
        shown.put("encrypted", true);
        shown.put("keyId", o.path("kid").asString(""));
        return shown;
      }
      for (String name : new HashSet<>(o.propertyNames())) {
        o.set(name, fields.contains(name) ? o.stringNode(MASK) : mask(o.get(name), fields));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, mask(a.get(i), fields));
      }
    }
    return node;
  }

  private static void collect(Type type, Set<String> out, Set<Type> seen) {
    if (!seen.add(type)) {
      return;
    }
    if (type instanceof ParameterizedType p) {
      for (Type arg : p.getActualTypeArguments()) {
        collect(arg, out, seen);
      }
    } else if (type instanceof GenericArrayType g) {
      collect(g.getGenericComponentType(), out, seen);
    } else if (type instanceof Class<?> c) {
      if (c.isArray()) {
        collect(c.getComponentType(), out, seen);
      } else if (c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          if (rc.isAnnotationPresent(Sensitive.class) || rc.getAccessor().isAnnotationPresent(Sensitive.class)) {
            out.add(rc.getName());
          }
          collect(rc.getGenericType(), out, seen);
        }
      } else if (!c.isPrimitive() && !c.getName().startsWith("java.")) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
          for (Field f : k.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
              continue;
            }
            if (f.isAnnotationPresent(Sensitive.class)) {
              out.add(f.getName());
            }
            collect(f.getGenericType(), out, seen);
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Redaction[every task " + everyTask + ", by task " + byTask + "]";
  }
}
