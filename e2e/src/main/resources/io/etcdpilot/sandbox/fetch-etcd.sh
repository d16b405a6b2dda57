#!/usr/bin/env bash
# fetch-etcd SUITE CACHE_DIR
# Downloads the etcd-server and etcd-client packages a Debian suite (trixie, sid, ...) offers, with a
# private apt sources list, and unpacks them with dpkg -x into CACHE_DIR/<version>/ — nothing is
# installed on the system. Prints the unpacked version on stdout.
set -euo pipefail
suite="$1"
cache="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$cache"
# The Debian archive this machine's own apt sources use (never a hard-coded host): the first enabled source
# that serves the main component of a non-security suite.
mirror="$({
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { if ($(i+1) !~ /security/) print $i; break } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && awk 'BEGIN { RS = ""; FS = "\n" } /Types:[^\n]*deb/ && /Components:[^\n]*main/ && !/Suites:[^\n]*security/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, " "); print u[2] } }' "$f"
  done
} | head -1)"
[ -n "$mirror" ] || { echo "no Debian archive found in this machine's apt sources (/etc/apt/sources.list*)" >&2; exit 1; }
mirror="${mirror%/}"
echo "deb [trusted=yes] $mirror $suite main" > "$work/sources.list"
opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
      -o "Dir::State::Status=/dev/null" -o "APT::Get::List-Cleanup=0" -o "Acquire::Check-Valid-Until=false")
apt-get "${opts[@]}" -q update >/dev/null
version="$(apt-cache "${opts[@]}" policy etcd-server | awk '/Candidate:/ {print $2}')"
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "suite $suite offers no etcd-server" >&2; exit 1; }
upstream="${version%%-*}"
upstream="${upstream#*:}"
(cd "$work" && apt-get "${opts[@]}" -q download "etcd-server=$version" "etcd-client=$version" >/dev/null)
dest="$cache/$upstream"
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$dest.tmp"; done
"$dest.tmp/usr/bin/etcd" --version >/dev/null
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "$upstream"
