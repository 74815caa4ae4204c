package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

// readTypesFile reads the list of resource types to generate: one name a
// line, blank lines and lines starting with '#' ignored. It returns the
// names sorted, and fails on a malformed or repeated name.
func readTypesFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		name := strings.TrimSpace(sc.Text())
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		if !isTypeName(name) || seen[name] {
			return nil, fmt.Errorf("%s:%d: bad or repeated resource type %q", path, line, name)
		}
		seen[name] = true
		names = append(names, name)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no resource types", path)
	}
	sort.Strings(names)
	return names, nil
}

// isTypeName reports whether s looks like a FHIR resource type name: an
// upper-case ASCII letter followed by ASCII letters and digits.
func isTypeName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
		case i > 0 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return s != ""
}
