package search

import (
	"slices"
	"testing"
)

func TestSplitUnescaped(t *testing.T) {
	tests := []struct {
		in   string
		sep  byte
		max  int
		want []string
	}{
		{"", ',', 0, []string{""}},
		{"a", ',', 0, []string{"a"}},
		{"a,b", ',', 0, []string{"a", "b"}},
		{"a,", ',', 0, []string{"a", ""}},
		{",", ',', 0, []string{"", ""}},
		{`a\,b`, ',', 0, []string{`a\,b`}},
		{`a\\,b`, ',', 0, []string{`a\\`, "b"}},
		{`a\\\,b`, ',', 0, []string{`a\\\,b`}},
		{`a\`, ',', 0, []string{`a\`}},
		{`a\b,c`, ',', 0, []string{`a\b`, "c"}},
		{`a|b\|c|d`, '|', 0, []string{"a", `b\|c`, "d"}},
		{"a$b,c", '$', 0, []string{"a", "b,c"}},
		{"a,b,c", ',', 2, []string{"a", "b", "c"}},
		{"a,b,c,d", ',', 2, []string{"a", "b", "c,d"}},
		{"a,b", ',', 2, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := splitUnescaped(tt.in, tt.sep, tt.max); !slices.Equal(got, tt.want) {
			t.Errorf("splitUnescaped(%q, %q, %d) = %q, want %q", tt.in, tt.sep, tt.max, got, tt.want)
		}
	}
}

func TestUnescapeValue(t *testing.T) {
	tests := map[string]string{
		"":         "",
		"abc":      "abc",
		`a\,b`:     "a,b",
		`a\|b`:     "a|b",
		`a\$b`:     "a$b",
		`a\\b`:     `a\b`,
		`a\b`:      `a\b`,
		`a\`:       `a\`,
		`\\\\`:     `\\`,
		`\\\`:      `\\`,
		`\%\_\'\"`: `\%\_\'\"`,
	}
	for in, want := range tests {
		if got := unescapeValue(in); got != want {
			t.Errorf("unescapeValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeValue(t *testing.T) {
	tests := map[string]string{
		"abc":     "abc",
		"a,b|c$d": `a\,b\|c\$d`,
		`a\`:      `a\\`,
		`a\b`:     `a\\b`,
	}
	for in, want := range tests {
		if got := escapeValue(in); got != want {
			t.Errorf("escapeValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzEscapeValue checks that an escaped value is one piece for every
// separator and unescapes to itself.
func FuzzEscapeValue(f *testing.F) {
	for _, s := range []string{"", "a,b", `a\`, `\\,`, "a|b$c", `x\y`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escapeValue(s)
		for _, sep := range []byte{',', '|', '$'} {
			if got := splitUnescaped(e, sep, 0); len(got) != 1 {
				t.Fatalf("escapeValue(%q) = %q splits on %q into %q", s, e, sep, got)
			}
		}
		if got := unescapeValue(e); got != s {
			t.Fatalf("unescapeValue(escapeValue(%q)) = %q", s, got)
		}
	})
}
