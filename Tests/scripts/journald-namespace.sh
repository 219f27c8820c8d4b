#!/usr/bin/env bash
# Runs kawald with its stderr connected to a real systemd-journald, inside a private mount
# namespace so the machine's own logging is untouched, then prints the journal as JSON lines.
# Usage (as root): unshare -m bash journald-namespace.sh BIN_DIR
# Exit 77 means "cannot run here" (no journald binary or no way to mount).
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'kill $journald_pid 2>/dev/null || true; rm -rf "$work"' EXIT
journald_pid=
[ -x /lib/systemd/systemd-journald ] || { echo "systemd-journald not installed" >&2; exit 77; }
mkdir -p "$work/systemd" "$work/log" "$work/varlog" "$work/state" "$work/run" /run/systemd /run/log
mount --make-rprivate / 2>/dev/null || true
mount --bind "$work/systemd" /run/systemd || exit 77
mount --bind "$work/log" /run/log || exit 77
# journald writes to /var/log/journal when it exists: keep the machine's journal out of this.
if [ -d /var/log/journal ]; then mount --bind "$work/varlog" /var/log/journal; fi
/lib/systemd/systemd-journald &
journald_pid=$!
for _ in $(seq 100); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.05; done
[ -S /run/systemd/journal/stdout ] || { echo "journald did not start" >&2; exit 77; }

# systemd-cat connects stdout/stderr to the journal's stream socket; JOURNAL_STREAM names that
# socket as systemd does for services, so kawald knows its stderr is the journal.
systemd-cat -t kawald-stream sh -c '
  export JOURNAL_STREAM=$(stat -L -c "%d:%i" /proc/self/fd/2)
  exec "$0" --state-dir "$1/state" --runtime-dir "$1/run"' "$bin/kawald" "$work" &
daemon_pid=$!
for _ in $(seq 200); do [ -S "$work/run/control.sock" ] && break; sleep 0.05; done
"$bin/kawalctl" --socket "$work/run/control.sock" call io.kawal.Daemon.Reload >/dev/null
kill -TERM $daemon_pid 2>/dev/null || true
pkill -TERM -f "$bin/kawald --state-dir $work/state" || true
for _ in $(seq 100); do pgrep -f "$bin/kawald --state-dir $work/state" >/dev/null || break; sleep 0.05; done
sleep 0.3
journalctl -D /run/log/journal -o json --no-pager
