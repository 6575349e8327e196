# Sourced by ./install and ./run-tests: the project's version, and a check that spindle-bom manages
# every library module (the modules of the root pom's main <modules> list).
spindle_project_version() {
  sed -n 's:^  <version>\(.*\)</version>$:\1:p' "${1:-.}/pom.xml" | head -1
}
spindle_check_bom() {
  local root="${1:-.}" module missing=()
  for module in $(sed -n '/^  <modules>/,/^  <\/modules>/s:.*<module>\(.*\)</module>.*:\1:p' "$root/pom.xml"); do
    [ "$module" = spindle-bom ] && continue
    grep -q "<artifactId>$module</artifactId>" "$root/spindle-bom/pom.xml" || missing+=("$module")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "spindle: spindle-bom/pom.xml does not manage the library module(s): ${missing[*]}" >&2
    return 1
  fi
}
