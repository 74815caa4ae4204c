#!/usr/bin/env bash
# devdb.sh - make sure a development PostgreSQL answers on 127.0.0.1.
#
# Usage: scripts/devdb.sh [start|stop|status]
#
#   start (default)  If a PostgreSQL already accepts connections on
#                    127.0.0.1:$FHIR_DEVDB_PORT, do nothing. Otherwise
#                    initialise (once) and start a private server whose data
#                    lives in .data/ at the repository root, with trust
#                    authentication for the "postgres" role, and create the
#                    "$FHIR_DEVDB_NAME" database in it.
#   stop             Stop the private server if it is running. A server this
#                    script did not start is never touched.
#   status           Say whether the port answers and whether the private
#                    server runs.
#
# Environment:
#   FHIR_DEVDB_PORT    TCP port (default 5432)
#   FHIR_DEVDB_NAME    database to create in the private server (default fhir)
#   FHIR_DEVDB_USER    unprivileged account used when run as root (default fhirdev)
#   FHIR_DEVDB_BINDIR  directory holding initdb/pg_ctl/postgres (default: found)
#
# PostgreSQL refuses to run as root, so when invoked as root the private
# server runs as an unprivileged system account, created on first use.
set -euo pipefail

PORT="${FHIR_DEVDB_PORT:-5432}"
DBNAME="${FHIR_DEVDB_NAME:-fhir}"
RUN_USER="${FHIR_DEVDB_USER:-fhirdev}"
HOST=127.0.0.1
START_TIMEOUT=60

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd -P)"
REPO_BASE="$REPO_DIR/.data"
FALLBACK_BASE="/var/tmp/fhird-pg-$(id -u)"

log() { printf 'devdb: %s\n' "$*" >&2; }
die() { printf 'devdb: error: %s\n' "$*" >&2; exit 1; }

usage() {
	printf 'usage: %s [start|stop|status]\n' "$(basename "$0")" >&2
	exit 2
}

case "$PORT" in
'' | *[!0-9]*) die "FHIR_DEVDB_PORT must be a port number, got '$PORT'" ;;
esac

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------
# Locating the PostgreSQL binaries.

has_server_bins() {
	[ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]
}

# find_bindir [major-version]: print a directory holding initdb, pg_ctl and
# postgres. With a major version (from an existing PG_VERSION file), a
# directory of that version is preferred.
find_bindir() {
	local want="${1:-}" d cand=()

	if [ -n "${FHIR_DEVDB_BINDIR:-}" ]; then
		has_server_bins "$FHIR_DEVDB_BINDIR" ||
			die "FHIR_DEVDB_BINDIR=$FHIR_DEVDB_BINDIR lacks initdb, pg_ctl or postgres"
		printf '%s\n' "$FHIR_DEVDB_BINDIR"
		return
	fi

	[ -n "$want" ] && cand+=("/usr/lib/postgresql/$want/bin")
	if command -v pg_config >/dev/null 2>&1; then
		d="$(pg_config --bindir 2>/dev/null || true)"
		[ -n "$d" ] && cand+=("$d")
	fi
	# Debian/Ubuntu layout, newest major version first.
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -rn); do
		cand+=("$d")
	done
	if command -v pg_ctl >/dev/null 2>&1; then
		d="$(command -v pg_ctl)"
		d="$(readlink -f "$d" 2>/dev/null || printf '%s' "$d")"
		cand+=("$(dirname "$d")")
	fi
	# Other common layouts (RPM packages, Homebrew, Postgres.app).
	for d in /usr/pgsql-*/bin /opt/homebrew/opt/postgresql*/bin \
		/usr/local/opt/postgresql*/bin /Applications/Postgres.app/Contents/Versions/latest/bin; do
		[ -d "$d" ] && cand+=("$d")
	done

	if [ -n "$want" ]; then
		for d in "${cand[@]}"; do
			if has_server_bins "$d" && [ "$(bin_major "$d")" = "$want" ]; then
				printf '%s\n' "$d"
				return
			fi
		done
		log "no PostgreSQL $want binaries found for the existing data directory; trying others"
	fi
	for d in "${cand[@]}"; do
		if has_server_bins "$d"; then
			printf '%s\n' "$d"
			return
		fi
	done
	die "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; install PostgreSQL (e.g. apt-get install postgresql) or set FHIR_DEVDB_BINDIR"
}

# bin_major DIR: major version of the server in DIR, e.g. 15.
bin_major() {
	"$1/postgres" --version 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\)[.0-9]*.*/\1/p' | head -n1
}

# pg_isready from the server's directory or PATH; empty if there is none.
isready_bin() {
	local d="${1:-}"
	if [ -n "$d" ] && [ -x "$d/pg_isready" ]; then
		printf '%s\n' "$d/pg_isready"
	elif command -v pg_isready >/dev/null 2>&1; then
		command -v pg_isready
	fi
}

# port_state: 0 accepting, 1 rejecting (e.g. starting up), 2 no answer.
port_state() {
	local bin rc=0
	bin="$(isready_bin "${BINDIR:-}")"
	if [ -z "$bin" ]; then
		# No client tools at all: fall back to a bare TCP probe.
		if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then return 0; fi
		return 2
	fi
	"$bin" -q -h "$HOST" -p "$PORT" -U postgres -t 3 || rc=$?
	case "$rc" in
	0 | 1) return "$rc" ;;
	*) return 2 ;;
	esac
}

# ---------------------------------------------------------------------------
# Running commands as the server account.

ensure_run_user() {
	if id -u "$RUN_USER" >/dev/null 2>&1; then
		return
	fi
	command -v useradd >/dev/null 2>&1 ||
		die "running as root and user '$RUN_USER' does not exist; create it (useradd is missing) or run as a normal user"
	log "creating system user '$RUN_USER' to run PostgreSQL (it refuses to run as root)"
	local shell=/usr/sbin/nologin
	[ -x "$shell" ] || shell=/bin/false
	useradd --system --no-create-home --user-group --home-dir /nonexistent \
		--shell "$shell" --comment "FHIR server dev PostgreSQL" "$RUN_USER" ||
		die "could not create user '$RUN_USER'"
}

# as_server CMD...: run CMD as the account that owns the data directory.
as_server() {
	if ! is_root; then
		"$@"
		return
	fi
	# Run from / so a directory the account cannot enter is never its cwd.
	if command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "$RUN_USER" -- "$@")
	else
		local q
		q="$(printf '%q ' "$@")"
		(cd / && su -s /bin/sh "$RUN_USER" -c "$q")
	fi
}

# ---------------------------------------------------------------------------
# Where the private server lives.

set_layout() {
	BASE="$1"
	PGDATA_DIR="$BASE/pg"
	RUN_DIR="$BASE/run"
	LOG_DIR="$BASE/log"
	LOG_FILE="$LOG_DIR/postgres.log"
	SOCK_DIR="$RUN_DIR"
	# Unix socket paths are limited to ~107 bytes; use a short directory if
	# the repository path is too deep.
	if [ $((${#SOCK_DIR} + 18)) -gt 100 ]; then
		SOCK_DIR="/tmp/fhird-sock-$(id -u)"
	fi
}

# choose_base: the repo's .data unless, as root, the server account cannot
# reach it; then a directory under /var/tmp.
choose_base() {
	if is_root && ! as_server test -x "$REPO_DIR" 2>/dev/null; then
		log "user '$RUN_USER' cannot enter $REPO_DIR;"
		log "keeping the private data directory in $FALLBACK_BASE instead of $REPO_BASE"
		set_layout "$FALLBACK_BASE"
	else
		set_layout "$REPO_BASE"
	fi
}

prepare_dirs() {
	local d
	mkdir -p "$BASE" "$PGDATA_DIR" "$RUN_DIR" "$LOG_DIR" "$SOCK_DIR"
	chmod 700 "$PGDATA_DIR"
	if is_root; then
		chmod 755 "$BASE"
		for d in "$PGDATA_DIR" "$RUN_DIR" "$LOG_DIR" "$SOCK_DIR"; do
			if [ "$(stat -c %U "$d" 2>/dev/null || echo '?')" != "$RUN_USER" ]; then
				chown -R "$RUN_USER:" "$d"
			fi
		done
	fi
}

private_running() {
	[ -n "${PGDATA_DIR:-}" ] && [ -f "$PGDATA_DIR/postmaster.pid" ] &&
		[ -n "${BINDIR:-}" ] &&
		as_server "$BINDIR/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1
}

running_port() {
	sed -n '4p' "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true
}

show_log_tail() {
	if [ -f "$LOG_FILE" ]; then
		log "last lines of $LOG_FILE:"
		tail -n 20 "$LOG_FILE" | sed 's/^/    /' >&2
	fi
}

wait_ready() {
	local i
	for ((i = 0; i < START_TIMEOUT * 2; i++)); do
		if port_state; then return 0; fi
		sleep 0.5
	done
	return 1
}

create_database() {
	local psql_bin exists
	psql_bin="$BINDIR/psql"
	[ -x "$psql_bin" ] || psql_bin="$(command -v psql || true)"
	if [ -z "$psql_bin" ]; then
		log "psql not found; not creating database '$DBNAME'"
		return
	fi
	# psql interpolates :'name' only in input it reads, not in -c.
	exists="$(printf "SELECT 1 FROM pg_database WHERE datname = :'name';\n" |
		"$psql_bin" -X -q -A -t -h "$HOST" -p "$PORT" -U postgres -d postgres \
			-v ON_ERROR_STOP=1 -v name="$DBNAME")" ||
		die "cannot query the private server on $HOST:$PORT"
	if [ "$exists" != "1" ]; then
		log "creating database '$DBNAME'"
		printf 'CREATE DATABASE :"name";\n' |
			"$psql_bin" -X -q -h "$HOST" -p "$PORT" -U postgres -d postgres \
				-v ON_ERROR_STOP=1 -v name="$DBNAME" >/dev/null ||
			die "could not create database '$DBNAME'"
	fi
}

# ---------------------------------------------------------------------------
# Commands.

cmd_start() {
	local rc=0 ver=""
	BINDIR="$(find_bindir)"

	port_state || rc=$?
	if [ "$rc" -eq 0 ]; then
		log "PostgreSQL already accepts connections on $HOST:$PORT; nothing to do"
		return 0
	fi

	is_root && ensure_run_user
	choose_base

	# A data directory from an earlier run decides the server version.
	if [ -f "$PGDATA_DIR/PG_VERSION" ]; then
		ver="$(cat "$PGDATA_DIR/PG_VERSION")"
		BINDIR="$(find_bindir "$ver")"
	fi

	if [ "$rc" -eq 1 ]; then
		log "a PostgreSQL on $HOST:$PORT is not accepting connections yet; waiting"
		if wait_ready; then
			log "PostgreSQL on $HOST:$PORT is ready"
			return 0
		fi
		die "the PostgreSQL on $HOST:$PORT still rejects connections after ${START_TIMEOUT}s"
	fi

	if private_running; then
		local p
		p="$(running_port)"
		if [ -n "$p" ] && [ "$p" != "$PORT" ]; then
			die "the private server in $PGDATA_DIR runs on port $p, not $PORT; run '$0 stop' first"
		fi
		log "private server in $PGDATA_DIR is running but not answering yet; waiting"
		wait_ready || { show_log_tail; die "private server did not become ready on $HOST:$PORT"; }
		create_database
		return 0
	fi

	prepare_dirs

	if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
		if [ -n "$(ls -A "$PGDATA_DIR" 2>/dev/null)" ]; then
			die "$PGDATA_DIR is not empty but holds no PostgreSQL cluster; remove it and retry"
		fi
		log "initialising a private cluster in $PGDATA_DIR with $BINDIR/initdb"
		if ! as_server "$BINDIR/initdb" -D "$PGDATA_DIR" --auth=trust -U postgres \
			--encoding=UTF8 --no-locale >"$LOG_DIR/initdb.log" 2>&1; then
			sed 's/^/    /' "$LOG_DIR/initdb.log" >&2
			die "initdb failed"
		fi
	fi

	log "starting private PostgreSQL $(bin_major "$BINDIR") on $HOST:$PORT (data $PGDATA_DIR, log $LOG_FILE)"
	if ! as_server "$BINDIR/pg_ctl" start -D "$PGDATA_DIR" -l "$LOG_FILE" -w -t "$START_TIMEOUT" \
		-o "-p $PORT -k $SOCK_DIR -c listen_addresses=$HOST" >/dev/null; then
		show_log_tail
		die "pg_ctl start failed (is something else using port $PORT?)"
	fi
	if ! wait_ready; then
		show_log_tail
		die "private server started but $HOST:$PORT does not answer"
	fi
	create_database
	log "ready: postgres://postgres@$HOST:$PORT/$DBNAME (stop it with: $0 stop)"
}

cmd_stop() {
	local base stopped=0
	for base in "$REPO_BASE" "$FALLBACK_BASE"; do
		[ -f "$base/pg/postmaster.pid" ] || continue
		set_layout "$base"
		if [ -z "${BINDIR:-}" ]; then
			if [ -f "$PGDATA_DIR/PG_VERSION" ]; then
				BINDIR="$(find_bindir "$(cat "$PGDATA_DIR/PG_VERSION")")"
			else
				BINDIR="$(find_bindir)"
			fi
		fi
		if private_running; then
			log "stopping private server in $PGDATA_DIR"
			as_server "$BINDIR/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w >/dev/null ||
				die "pg_ctl stop failed"
			stopped=1
		fi
	done
	if [ "$stopped" -eq 0 ]; then
		log "no private server is running; nothing to stop"
	else
		log "stopped"
	fi
}

cmd_status() {
	local rc=0 base running=0
	BINDIR="$(find_bindir)"
	port_state || rc=$?
	case "$rc" in
	0) log "$HOST:$PORT accepts connections" ;;
	1) log "$HOST:$PORT answers but rejects connections" ;;
	*) log "nothing answers on $HOST:$PORT" ;;
	esac
	for base in "$REPO_BASE" "$FALLBACK_BASE"; do
		[ -f "$base/pg/postmaster.pid" ] || continue
		set_layout "$base"
		if private_running; then
			log "private server in $PGDATA_DIR runs on port $(running_port)"
			running=1
		fi
	done
	[ "$running" -eq 1 ] || log "no private server is running"
	[ "$rc" -eq 0 ]
}

case "${1:-start}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
-h | --help | help) usage ;;
*) usage ;;
esac
