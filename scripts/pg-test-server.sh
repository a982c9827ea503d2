#!/usr/bin/env bash
# A throw-away PostgreSQL for the audit tests: initialised in a temp dir,
# listening on 127.0.0.1 on a free port, with a role whose password is
# made now. Prints the environment the tests read:
#   RAMPART_TEST_PG_URL  the URL (password included; never written to a file in the repo)
#   RAMPART_TEST_PG_CTL  a script taking `start`, `stop` or `destroy`
# Usage: eval "$(scripts/pg-test-server.sh)"
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

base=$(mktemp -d /tmp/rampart-pg.XXXXXX)
chmod 755 "$base"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$base" postgres
  chown postgres "$base"
  run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
pwfile="$base/pw"
printf '%s\n' "$password" > "$pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
"${run_as[@]}" "$bin/initdb" -D "$base/data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" >/dev/null
rm -f "$pwfile"
cat >> "$base/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$base'
fsync = off
CONF

ctl="$base/ctl.sh"
cat > "$ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\$1" in
  start) ${run_as[*]} "$bin/pg_ctl" -D "$base/data" -l "$base/log" -w start >/dev/null ;;
  stop) ${run_as[*]} "$bin/pg_ctl" -D "$base/data" -m immediate -w stop >/dev/null ;;
  destroy) ${run_as[*]} "$bin/pg_ctl" -D "$base/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$base" ;;
  *) echo "usage: \$0 start|stop|destroy" >&2; exit 2 ;;
esac
CTL
chmod 755 "$ctl"
"$ctl" start
echo "export RAMPART_TEST_PG_URL='postgres://postgres:$password@127.0.0.1:$port/postgres'"
echo "export RAMPART_TEST_PG_CTL='$ctl'"
