package dev.spindle.web.internal;

import dev.spindle.web.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API's routes, registered with Javalin and described in the OpenAPI 3.1 document from the same
 * table, so the document cannot miss a route. Each route checks its {@link Role}. Not thread-safe
 * while routes are added; read-only afterwards.
 */
public final class RouteTable {
  private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

  /**
   * One route.
   *
   * @param method the HTTP method
   * @param path the path, with {@code {name}} parameters
   * @param role the role it needs
   * @param summary what it does
   * @param query query parameters, name to description
   * @param body a description of the JSON request body, or {@code null}
   * @param responses status codes to descriptions
   */
  public record Route(HandlerType method, String path, Role role, String summary, Map<String, String> query,
      @Nullable String body, Map<Integer, String> responses) {}

  private final RoutesConfig routes;
  private final List<Route> table = new ArrayList<>();

  /** A table adding routes to {@code routes}. */
  public RouteTable(RoutesConfig routes) {
    this.routes = routes;
  }

  /** Starts a route description. */
  public Builder route(HandlerType method, String path, Role role, String summary) {
    return new Builder(method, path, role, summary);
  }

  /** Every route, in order. */
  public List<Route> routes() {
    return List.copyOf(table);
  }

  /** Describes and registers one route. */
  public final class Builder {
    private final HandlerType method;
    private final String path;
    private final Role role;
    private final String summary;
    private final Map<String, String> query = new LinkedHashMap<>();
    private final Map<Integer, String> responses = new LinkedHashMap<>();
    private @Nullable String body;

    private Builder(HandlerType method, String path, Role role, String summary) {
      this.method = method;
      this.path = path;
      this.role = role;
      this.summary = summary;
    }

    /** A query parameter. */
    public Builder query(String name, String description) {
      query.put(name, description);
      return this;
    }

    /** The JSON body. */
    public Builder body(String description) {
      this.body = description;
      return this;
    }

    /** A response. */
    public Builder response(int status, String description) {
      responses.put(status, description);
      return this;
    }

    /** Describes a route registered elsewhere (e.g. the SSE stream). */
    public void documentOnly() {
      add();
    }

    private void add() {
      if (responses.isEmpty()) {
        responses.put(200, "OK");
      }
      table.add(new Route(method, path, role, summary, Map.copyOf(query), body, Map.copyOf(responses)));
    }

    /** Registers the route with its handler. */
    public void handle(Handler handler) {
      add();
      routes.addHttpHandler(method, path, ctx -> {
        Auth.require(ctx, role);
        handler.handle(ctx);
      });
    }
  }

  /** The OpenAPI 3.1 document of every route. */
  public ObjectNode openApi(String version) {
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.1.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Spindle queue API");
    info.put("version", version);
    info.put("description", "Operate Spindle's durable queue: jobs, queues, workers, schedules, statistics. "
        + "Errors are application/problem+json (RFC 9457). Changes need the operator role.");
    ObjectNode comps = doc.putObject("components");
    ObjectNode schemes = comps.putObject("securitySchemes");
    schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
    schemes.putObject("session").put("type", "apiKey").put("in", "cookie").put("name", Auth.COOKIE);
    ObjectNode problem = comps.putObject("schemas").putObject("Problem");
    problem.put("type", "object");
    ObjectNode pp = problem.putObject("properties");
    for (String f : List.of("type", "title", "detail", "instance", "correlationId")) {
      pp.putObject(f).put("type", "string");
    }
    pp.putObject("status").put("type", "integer");
    ArrayNode sec = doc.putArray("security");
    sec.addObject().putArray("bearer");
    sec.addObject().putArray("session");
    ObjectNode paths = doc.putObject("paths");
    for (Route r : table) {
      ObjectNode item = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
      ObjectNode op = item.putObject(r.method().name().toLowerCase(Locale.ROOT));
      op.put("summary", r.summary());
      op.put("operationId", operationId(r));
      op.put("x-spindle-role", r.role().name().toLowerCase(Locale.ROOT));
      ArrayNode params = op.putArray("parameters");
      Matcher m = PARAM.matcher(r.path());
      while (m.find()) {
        ObjectNode p = params.addObject();
        p.put("name", m.group(1)).put("in", "path").put("required", true);
        p.putObject("schema").put("type", "string");
      }
      r.query().forEach((name, d) -> {
        ObjectNode p = params.addObject();
        p.put("name", name).put("in", "query").put("description", d);
        p.putObject("schema").put("type", "string");
      });
      if (r.body() != null) {
        ObjectNode rb = op.putObject("requestBody");
        rb.put("required", true).put("description", r.body());
        rb.putObject("content").putObject("application/json").putObject("schema").put("type", "object");
      }
      ObjectNode resp = op.putObject("responses");
      r.responses().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        ObjectNode o = resp.putObject(Integer.toString(e.getKey()));
        o.put("description", e.getValue());
      });
      ObjectNode err = resp.putObject("default");
      err.put("description", "an error, as application/problem+json");
      err.putObject("content").putObject("application/problem+json").putObject("schema")
          .put("$ref", "#/components/schemas/Problem");
    }
    return doc;
  }

  private static String operationId(Route r) {
    StringBuilder b = new StringBuilder(r.method().name().toLowerCase(Locale.ROOT));
    for (String part : r.path().replace("/api/v1", "").split("[/{}]")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b.toString();
  }
}
