#!/usr/bin/env bash
# Smoke test of the installed wheel, as a user gets it: `pip install mandat`, no extras, no repository on
# the path. Builds the wheel from the working tree, installs it into a fresh virtual environment and runs
# every command a newcomer meets: --version, each command's --help, a small demo, `mandat serve` answering
# /health and a POSTed event (and its PDF), `mandat worker --until-idle`, `mandat audit`.
# A runtime import missing from [project].dependencies fails here (and in tests/test_packaging.py).
#
#   scripts/smoke_install.sh                      # what .ci/run does
#   SMOKE_REMOVE=httpx scripts/smoke_install.sh   # uninstall a package after installing, to see it fail
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

pick_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return
    fi
  done
  echo "smoke: needs Python >= 3.11 (set PYTHON=...)" >&2; exit 1
}
python="$(pick_python)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/mandat-smoke.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill "$server"; wait "$server" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
started=$SECONDS
step() { echo "smoke: [$((SECONDS - started)) s] $*" >&2; }

# The build runs on a copy, so that it leaves no build/ or *.egg-info in the working tree.
step "building the wheel"
mkdir "$scratch/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$scratch/src"
if ! "$python" -m pip wheel --no-deps -w "$scratch/dist" "$scratch/src" > "$scratch/build.log" 2>&1; then
  cat "$scratch/build.log" >&2; exit 1
fi
if grep -q "BuildBackendWarning\|SetuptoolsDeprecationWarning" "$scratch/build.log"; then
  grep -A6 "BuildBackendWarning\|SetuptoolsDeprecationWarning" "$scratch/build.log" >&2
  echo "smoke: the build warns (see above)" >&2; exit 1
fi
wheel="$(ls "$scratch"/dist/mandat-*.whl)"

step "installing $(basename "$wheel") without extras into a fresh venv"
"$python" -m venv "$scratch/venv"
if ! "$scratch/venv/bin/python" -m pip install "$wheel" > "$scratch/install.log" 2>&1; then
  cat "$scratch/install.log" >&2; exit 1
fi
if [ -n "${SMOKE_REMOVE:-}" ]; then
  step "removing $SMOKE_REMOVE (SMOKE_REMOVE)"
  "$scratch/venv/bin/python" -m pip uninstall -q -y $SMOKE_REMOVE
fi

# From an empty directory: nothing of the repository can be imported by accident.
mkdir "$scratch/work"
cd "$scratch/work"
export PATH="$scratch/venv/bin:$PATH"
unset PYTHONPATH
for var in $(env | grep -o '^MANDAT_[A-Z0-9_]*'); do unset "$var"; done
export MANDAT_HOME="$scratch/home"
py="$scratch/venv/bin/python"

"$py" - "$scratch/venv" <<'EOF'
import sys, mandat
assert mandat.__file__.startswith(sys.argv[1]), f"mandat imported from {mandat.__file__}, not the venv"
EOF

step "mandat --version"
expected="$("$py" -c 'from importlib.metadata import version; print(version("mandat"))')"
[ "$(mandat --version)" = "mandat $expected" ] || { echo "smoke: mandat --version printed $(mandat --version)" >&2; exit 1; }

step "--help of every command"
# In one process (a subprocess each costs seconds on a loaded machine), through the installed entry point's app.
"$py" - <<'EOF'
import typer.main
from typer.testing import CliRunner

from mandat.cli.main import app

def walk(cmd, prefix=()):
    yield prefix
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from walk(sub, (*prefix, name))

commands = list(walk(typer.main.get_command(app)))
assert len(commands) >= 15, commands
for path in commands:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output, (path, result.output, result.exception)
    assert "<bool>" not in result.output, (path, result.output)
print(f"smoke: {len(commands)} commands answer --help", flush=True)
EOF
mandat --help >/dev/null
mandat serve --help >/dev/null

step "mandat demo --orders 60"
mandat demo --orders 60 > "$scratch/demo.out"
grep -q "documents this run" "$scratch/demo.out"

step "mandat rates import / list (the packaged NBP demo table, stdlib XML/JSON readers)"
nbp="$("$py" -c 'from mandat.demo.markets import rate_files; print([f for f in rate_files() if "nbp" in f.name][0])')"
mandat rates import "$nbp" > "$scratch/rates.out"
grep -q "0 conflicts" "$scratch/rates.out"
mandat rates list --source NBP --currency EUR --json > "$scratch/rates.json"
grep -q '"PLN"' "$scratch/rates.json"

step "mandat serve: /health, POST /v1/events, the PDF"
token="$(mandat keys create --role operator --name smoke | tail -1)"
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mandat serve --host 127.0.0.1 --port "$port" --poll 0.2 > "$scratch/serve.log" 2>&1 &
server=$!
"$py" - "http://127.0.0.1:$port" "$token" "$repo/docs/example-order.paid.json" "$scratch/invoice.pdf" "$server" <<'EOF' || { cat "$scratch/serve.log" >&2; exit 1; }
import json, os, sys, time, urllib.error, urllib.request

base, token, event_file, pdf_out, pid = sys.argv[1:]


def server_alive() -> bool:
    """False once `mandat serve` has exited (a zombie until the shell reaps it): no point waiting then."""
    if not os.path.isdir("/proc/self"):
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
auth = {"Authorization": f"Bearer {token}"}

def call(path, data=None, headers=None):
    req = urllib.request.Request(base + path, data=data, headers={**auth, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

deadline = time.monotonic() + 60
while True:
    try:
        status, body = call("/health")
        if status == 200:
            break
    except OSError:
        pass
    if not server_alive():
        sys.exit("smoke: mandat serve exited before answering /health; its output:")
    if time.monotonic() > deadline:
        sys.exit("smoke: /health did not answer within 60 s")
    time.sleep(0.2)
print("smoke: /health", body.decode(), file=sys.stderr)

with open(event_file, "rb") as f:
    status, body = call("/v1/events", f.read(), {"Content-Type": "application/json"})
result = json.loads(body)
print("smoke: POST /v1/events", status, result.get("status"), result.get("document_number"), file=sys.stderr)
assert status == 202 and result["status"] == "issued" and result["document_id"], (status, result)

deadline = time.monotonic() + 30
while True:
    status, pdf = call(f"/v1/documents/{result['document_id']}/pdf")
    if status != 409:  # 409 + Retry-After: not rendered yet
        break
    if time.monotonic() > deadline:
        sys.exit("smoke: the PDF was still not rendered after 30 s")
    time.sleep(0.2)
assert status == 200 and pdf.startswith(b"%PDF-"), (status, pdf[:200])
with open(pdf_out, "wb") as f:
    f.write(pdf)
print(f"smoke: GET the PDF: {len(pdf)} bytes", file=sys.stderr)
EOF
kill "$server"
wait "$server" 2>/dev/null || true
server=""

step "mandat worker --until-idle"
mandat worker --until-idle
step "mandat audit"
mandat audit > "$scratch/audit.out" || { cat "$scratch/audit.out" >&2; exit 1; }
grep -q "audit passed" "$scratch/audit.out"
step "ok: the installed wheel runs every command"
