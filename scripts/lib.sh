# Shared steps of scripts/run and scripts/test. Sourced, not executed.
VENV=${VENV:-.venv}
PYTHON="$VENV/bin/python"

step() { printf '\n\033[1;35m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

ensure_venv() {  # ensure_venv REQUIREMENTS_FILE
  if [ ! -x "$PYTHON" ]; then
    step "Creating the virtual environment in $VENV"
    python3 -m venv "$VENV"
  fi
  step "Installing $1"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$1"
}

ensure_debian_packages() {  # ensure_debian_packages BINARY PACKAGE...
  local binary=$1; shift
  if ! command -v "$binary" >/dev/null; then
    step "Installing Debian packages: $*"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
  fi
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    step "Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started." >&2
    return 1
  fi
}

ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    ensure_debian_packages redis-server redis-server
    step "Starting Redis"
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Redis is not reachable on 127.0.0.1:6379 and could not be started." >&2
    return 1
  fi
}
