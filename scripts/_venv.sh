# Shared by scripts/demo, scripts/test and scripts/bench: create or update .venv when the pins change.
# Usage: ensure_venv [dev]
find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "SafePassage needs Python 3.11 or newer; none was found (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local extra="${1:-}"
  if [ ! -x .venv/bin/python ]; then
    local python
    python=$(find_python)
    echo "Creating .venv with $python"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed-${extra:-run}"
  local want
  want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing dependencies into .venv${extra:+ (with $extra tools)}"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    local target="."
    [ -n "$extra" ] && target=".[$extra]"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$target"
    echo "$want" > "$stamp"
    # A dev install satisfies a plain one too.
    if [ -n "$extra" ]; then
      echo "$want" > .venv/.installed-run
    fi
  fi
  return 0
}
