package fhirpath

import "strings"

// ParseReference returns the resource type and id named by a reference
// string: "Type/id", "Type/id/_history/vid", or an absolute URL ending in
// one of those. It returns empty strings for contained ("#id"), urn:uuid
// and urn:oid references, conditional references ("Type?query") and
// anything else that names no type.
func ParseReference(ref string) (typ, id string) {
	if ref == "" || ref[0] == '#' || hasPrefixFold(ref, "urn:") {
		return "", ""
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] == '?' || ref[i] == '#' {
			return "", ""
		}
	}
	rest := ref
	if i := strings.LastIndex(rest, "/_history/"); i >= 0 {
		vid := rest[i+len("/_history/"):]
		if vid == "" || strings.IndexByte(vid, '/') >= 0 {
			return "", ""
		}
		rest = rest[:i]
	}
	j := strings.LastIndexByte(rest, '/')
	if j < 0 {
		return "", ""
	}
	typ, id = rest[strings.LastIndexByte(rest[:j], '/')+1:j], rest[j+1:]
	if !isTypeName(typ) || !isID(id) {
		return "", ""
	}
	return typ, id
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// isTypeName reports whether s looks like a resource type name: an upper
// case ASCII letter followed by ASCII letters.
func isTypeName(s string) bool {
	if !isUpper(s) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isID reports whether s matches the FHIR id pattern [A-Za-z0-9\-\.]{1,64}.
func isID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
