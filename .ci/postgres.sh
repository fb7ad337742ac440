# Sourced by .ci/run: start a throwaway PostgreSQL server for the SQL source tests.
# Installs Debian's postgresql package when missing, creates a cluster in a temporary folder
# (initdb, trust authentication, a unix socket in that folder, no TCP port: nothing to collide
# with), starts it (as the 'postgres' user when run as root: the server refuses to run as root),
# exports RCU_POSTGRES_URL for the tests and stops the server and removes the folder on exit.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(pg_bin)
PG_DIR=$(mktemp -d /tmp/rcu-postgres.XXXXXX)
chmod 755 "$PG_DIR"
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
as_pg "'$PG_BIN/initdb' -D '$PG_DIR/data' -A trust -U rcu -E UTF8 --no-locale >'$PG_DIR/initdb.log' 2>&1"
as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -o \"-k '$PG_DIR' -c listen_addresses=''\" start >/dev/null"
stop_postgres() {
    as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast -w stop >/dev/null" || true
    rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
export RCU_POSTGRES_URL="postgresql+psycopg://rcu@/postgres?host=$PG_DIR"
export RCU_REQUIRE_POSTGRES=1   # in CI the PostgreSQL tests must run, never skip
