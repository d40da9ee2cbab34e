# Sourced by ./journey and .ci/run: sets UV to a command that runs uv, installing uv
# with pip when no uv is on this machine.
find_python() {
  local candidate
  for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "journey: NLP Journey needs Python 3.11 or newer; none was found on PATH." >&2
  return 1
}

if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  PYTHON="$(find_python)"
  if ! "$PYTHON" -m uv --version >/dev/null 2>&1; then
    echo "journey: uv is not installed; installing it with pip (one time)..." >&2
    "$PYTHON" -m pip install --quiet --user uv 2>/dev/null \
      || "$PYTHON" -m pip install --quiet uv \
      || { echo "journey: could not install uv with pip; see https://docs.astral.sh/uv/" >&2; exit 1; }
  fi
  # The uv binary itself: `python -m uv` would announce its venv and uv would warn about it.
  UV=("$("$PYTHON" -c 'import uv; print(uv.find_uv_bin())')")
fi
