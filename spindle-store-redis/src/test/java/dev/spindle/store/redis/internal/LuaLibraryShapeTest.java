package dev.spindle.store.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shape of the Lua: the library's modules use only what the modules before them define (a
 * name from a later one would compile as a global and fail only when called), no module-level
 * local but the call's context and inputs is assigned after load (so no call's state outlives it),
 * and every function, and every script body's own statements, is at most {@value #MAX_LINES} lines.
 */
class LuaLibraryShapeTest {
  private static final int MAX_LINES = 80;
  /** The module-level locals {@code call.lua} sets at the start of every call. */
  private static final Set<String> PER_CALL = Set.of("KEYS", "ARGV", "P", "C");
  private static final Pattern TOP_LOCAL = Pattern.compile("(?m)^local (?!function)([A-Za-z_][A-Za-z0-9_, ]*?)\\s*(=|$|--)");
  private static final Pattern TOP_FUNCTION = Pattern.compile("(?m)^local function ([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern FUNCTION_START =
      Pattern.compile("^(\\s*)(local function [\\w.]+|function [\\w.:]+|local \\w+ = function)\\s*\\(.*$");

  @Test
  void eachModuleUsesOnlyNamesTheModulesBeforeItDefine() {
    Map<String, String> defined = new LinkedHashMap<>();
    Map<String, String> texts = new LinkedHashMap<>();
    for (String module : Script.MODULES) {
      String text = code(read("lib/" + module));
      texts.put(module, text);
      for (String name : topLevelNames(text)) {
        defined.putIfAbsent(name, module);
      }
    }
    List<String> early = new ArrayList<>();
    for (String module : Script.MODULES) {
      int at = Script.MODULES.indexOf(module);
      for (Map.Entry<String, String> d : defined.entrySet()) {
        if (Script.MODULES.indexOf(d.getValue()) > at
            && Pattern.compile("(?<![\\w.])" + d.getKey() + "(?!\\w)").matcher(texts.get(module)).find()) {
          early.add(module + ".lua uses " + d.getKey() + " of " + d.getValue() + ".lua");
        }
      }
    }
    assertThat(early).as("names used before the module that defines them is loaded").isEmpty();
  }

  @Test
  void noModuleLevelLocalButTheCallsContextIsAssignedAfterLoad() {
    List<String> sources = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String module : Script.MODULES) {
      String text = code(read("lib/" + module));
      sources.add(module.equals("call") ? "" : text);
      Matcher m = TOP_LOCAL.matcher(text);
      while (m.find()) {
        for (String n : m.group(1).split(",")) {
          names.add(n.strip());
        }
      }
    }
    for (Script s : Script.values()) {
      sources.add(code(read(s.file())));
    }
    List<String> assigned = new ArrayList<>();
    for (String name : names) {
      Pattern assignment = Pattern.compile("(?m)^\\s+(?:[\\w.]+\\s*,\\s*)*" + Pattern.quote(name)
          + "(?:\\[[^\\]\\n]*\\]|\\.\\w+)*\\s*(?:,\\s*[\\w.]+\\s*)*=(?!=)");
      for (String text : sources) {
        if (assignment.matcher(text).find()) {
          assigned.add(name);
          break;
        }
      }
    }
    assertThat(assigned).as("module-level locals a call assigns: keep per-call state in the context C (call.lua)")
        .isSubsetOf(PER_CALL);
    assertThat(names).contains("C");
  }

  @Test
  void everyFunctionAndEveryScriptBodyIsShort() {
    List<String> long_ = new ArrayList<>();
    for (String module : Script.MODULES) {
      long_.addAll(longPieces("lib/" + module, read("lib/" + module), false));
    }
    for (Script s : Script.values()) {
      long_.addAll(longPieces(s.file(), read(s.file()), true));
    }
    assertThat(long_).as("functions (and script bodies) over %d lines", MAX_LINES).isEmpty();
  }

  /** Functions over the limit, and with {@code body}, the script's own statements if over it. */
  private static List<String> longPieces(String file, String text, boolean body) {
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int statements = 0;
    for (int i = 0; i < lines.length; i++) {
      Matcher m = FUNCTION_START.matcher(lines[i]);
      if (m.matches() && !lines[i].matches(".*\\bend\\)?\\s*$")) {
        int end = endOf(lines, i, m.group(1));
        if (end - i + 1 > MAX_LINES) {
          out.add(file + ".lua:" + (i + 1) + " " + lines[i].strip() + " (" + (end - i + 1) + " lines)");
        }
        if (m.group(1).isEmpty()) {
          i = end;
          continue;
        }
      }
      String l = lines[i].strip();
      if (!l.isEmpty() && !l.startsWith("--")) {
        statements++;
      }
    }
    if (body && statements > MAX_LINES) {
      out.add(file + ".lua: its body has " + statements + " lines outside its functions");
    }
    return out;
  }

  private static int endOf(String[] lines, int start, String indent) {
    for (int k = start + 1; k < lines.length; k++) {
      if (lines[k].equals(indent + "end") || lines[k].startsWith(indent + "end)") || lines[k].startsWith(indent + "end,")
          || lines[k].startsWith(indent + "end ")) {
        return k;
      }
    }
    throw new AssertionError("no end for the function at line " + (start + 1) + ": " + lines[start]);
  }

  private static List<String> topLevelNames(String text) {
    List<String> out = new ArrayList<>();
    Matcher f = TOP_FUNCTION.matcher(text);
    while (f.find()) {
      out.add(f.group(1));
    }
    Matcher m = TOP_LOCAL.matcher(text);
    while (m.find()) {
      for (String n : m.group(1).split(",")) {
        out.add(n.strip());
      }
    }
    return out;
  }

  /** Lua text without comments and string literals (so names in them do not count); lines kept. */
  private static String code(String lua) {
    StringBuilder out = new StringBuilder(lua.length());
    int i = 0;
    while (i < lua.length()) {
      char c = lua.charAt(i);
      if (c == '-' && lua.startsWith("--", i)) {
        while (i < lua.length() && lua.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '\'' || c == '"') {
        out.append(c).append(c);
        i++;
        while (i < lua.length() && lua.charAt(i) != c && lua.charAt(i) != '\n') {
          i += lua.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String read(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = Script.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
