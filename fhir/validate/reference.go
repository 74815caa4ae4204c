package validate

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/fhirbase-go/fhird/fhir"
)

// checkReference checks the grammar of a Reference.reference string and
// returns an issue code and message, or an empty message when s is fine.
// ids are the ids of the contained resources a local reference may name.
//
// Accepted forms: a local "#id" (or "#" for the container itself), a
// relative "Type/id" optionally followed by "/_history/vid", a conditional
// "Type?query" (which only a transaction may carry; the Bundle layer resolves
// or rejects it), a "urn:uuid:" or "urn:oid:" (Bundle-internal), or an
// absolute http(s) URL.
func checkReference(s string, ids map[string]string, resources map[string]bool) (fhir.IssueType, string) {
	switch {
	case strings.HasPrefix(s, "#"):
		return checkLocal(s[1:], ids)
	case strings.HasPrefix(s, "urn:uuid:"):
		if !isUUID(s[len("urn:uuid:"):]) {
			return fhir.IssueValue, fmt.Sprintf("The reference %q is not a valid urn:uuid.", clip(s))
		}
	case strings.HasPrefix(s, "urn:oid:"):
		if !isOID(s[len("urn:oid:"):]) {
			return fhir.IssueValue, fmt.Sprintf("The reference %q is not a valid urn:oid.", clip(s))
		}
	case isAbsolute(s):
		if !isAbsoluteURL(s) {
			return fhir.IssueValue, fmt.Sprintf("The reference %q is not a valid absolute URL.", clip(s))
		}
	default:
		if msg := checkRelative(s, resources); msg != "" {
			return fhir.IssueValue, fmt.Sprintf("The reference %q is not valid: %s", clip(s), msg)
		}
	}
	return "", ""
}

// checkLocal checks a local reference without its "#".
func checkLocal(id string, ids map[string]string) (fhir.IssueType, string) {
	switch {
	case id == "":
		return "", "" // "#" names the containing resource
	case !validID(id):
		return fhir.IssueValue, fmt.Sprintf("The local reference %q does not hold a valid id.", clip("#"+id))
	case ids[id] == "":
		return fhir.IssueInvariant, fmt.Sprintf(
			"The local reference %q names no contained resource (ref-1).", clip("#"+id))
	}
	return "", ""
}

// checkRelative checks "Type/id", "Type/id/_history/vid" and "Type?query",
// returning why s is none of them.
func checkRelative(s string, resources map[string]bool) string {
	if typ, query, ok := strings.Cut(s, "?"); ok {
		if msg := checkRefType(typ, resources); msg != "" {
			return msg
		}
		if query == "" {
			return "a conditional reference needs search parameters after '?'."
		}
		return ""
	}
	parts := strings.Split(s, "/")
	switch {
	case len(parts) != 2 && len(parts) != 4:
		return "expected Type/id, Type/id/_history/vid, an absolute URL, a urn:uuid:, a urn:oid: or #id."
	case len(parts) == 4 && (parts[2] != "_history" || !validID(parts[3])):
		return "expected Type/id/_history/vid with a valid version id."
	case !validID(parts[1]):
		return fmt.Sprintf("%q is not a valid id.", clip(parts[1]))
	}
	return checkRefType(parts[0], resources)
}

func checkRefType(typ string, resources map[string]bool) string {
	if !resources[typ] {
		return fmt.Sprintf("%q is not an R4 resource type.", clip(typ))
	}
	return ""
}

// isAbsolute reports whether s has a scheme before any query, so that a
// conditional reference whose search value is a URL stays relative.
func isAbsolute(s string) bool {
	head, _, _ := strings.Cut(s, "?")
	return strings.Contains(head, "://")
}

// isAbsoluteURL reports whether s is an http or https URL with a host and no
// white space or control characters.
func isAbsoluteURL(s string) bool {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 hex form. Upper-case
// hex is accepted: RFC 4122 makes input case-insensitive, even though R4's
// uuid type asks writers for lower case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isOID reports whether s matches R4's oid type after "urn:oid:":
// [0-2](\.(0|[1-9][0-9]*))+.
func isOID(s string) bool {
	arcs := strings.Split(s, ".")
	if len(arcs) < 2 || len(arcs[0]) != 1 || arcs[0][0] < '0' || arcs[0][0] > '2' {
		return false
	}
	for _, a := range arcs[1:] {
		if a == "" || (a[0] == '0' && len(a) > 1) {
			return false
		}
		for i := 0; i < len(a); i++ {
			if a[i] < '0' || a[i] > '9' {
				return false
			}
		}
	}
	return true
}

// containedIDs returns the ids of the resources contained in obj, with
// their types ("?" when a resource has none), or nil.
func containedIDs(obj map[string]any) map[string]string {
	list, _ := obj["contained"].([]any)
	if len(list) == 0 {
		return nil
	}
	ids := make(map[string]string, len(list))
	for _, el := range list {
		if r, ok := el.(map[string]any); ok {
			if id, ok := r["id"].(string); ok {
				typ, _ := r["resourceType"].(string)
				ids[id] = cmp.Or(typ, "?")
			}
		}
	}
	return ids
}

// validID reports whether s matches the R4 id type: [A-Za-z0-9\-\.]{1,64}.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
