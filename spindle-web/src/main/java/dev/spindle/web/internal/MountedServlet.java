package dev.spindle.web.internal;

import io.javalin.config.JavalinState;
import io.javalin.http.servlet.JavalinServlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The dashboard's Javalin servlet mounted in another servlet container under a path mapping such
 * as {@code /spindle/*}. Javalin routes by the path after the context path, so each request is
 * shown to it with the servlet path folded into the context path ({@code /app} + {@code /spindle})
 * and an empty servlet path; {@code /spindle} without the slash is redirected to {@code /spindle/}.
 * Thread-safe.
 */
public final class MountedServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialized: the dashboard lives in this JVM only
  private final JavalinServlet javalin;

  /** A servlet over Javalin's configuration (its routes), not started as a server. */
  public MountedServlet(JavalinState state) {
    this.javalin = new JavalinServlet(state);
  }

  @Override
  public void init(ServletConfig config) throws ServletException {
    super.init(config);
    javalin.init(config);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws ServletException, IOException {
    if (req.getPathInfo() == null && !req.getServletPath().isEmpty()) {
      String q = req.getQueryString();
      res.setStatus(HttpServletResponse.SC_SEE_OTHER);
      res.setHeader("Location", req.getRequestURI() + "/" + (q == null ? "" : "?" + q));
      return;
    }
    javalin.service(new Mounted(req), res);
  }

  @Override
  public void destroy() {
    javalin.destroy();
    super.destroy();
  }

  /** The request as Javalin must see it: the mount point is part of the context path. */
  static final class Mounted extends HttpServletRequestWrapper {
    Mounted(HttpServletRequest req) {
      super(req);
    }

    @Override
    public String getContextPath() {
      return super.getContextPath() + super.getServletPath();
    }

    @Override
    public String getServletPath() {
      return "";
    }
  }
}
