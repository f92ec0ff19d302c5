#!/bin/sh
# Runs a command inside a private D-Bus session with an unlocked, isolated gnome-keyring, so
# keytar talks to a real Secret Service (TOOLCHAIN.md). Without gnome-keyring or
# dbus-run-session (a developer machine without them), runs the command as it is; the keychain
# tests then print why they skipped.
set -eu
if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon missing; keychain tests will skip" >&2
  exec "$@"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export NDF_TEST_KEYRING=1
dbus-run-session -- sh -c 'printf %s ci-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' sh "$@"
