package index

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// golden computes a hash the way the contract in contract.go describes it,
// independently of the implementation: uvarint length and bytes of each
// field, SHA-256, first 8 bytes big-endian.
func golden(fields ...string) int64 {
	var b []byte
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	d := sha256.Sum256(b)
	return int64(binary.BigEndian.Uint64(d[:8]))
}

func TestHashContract(t *testing.T) {
	sc := TokenForm{Kind: FormSystemCode, System: "http://loinc.org", Code: "8480-6"}
	tests := []struct {
		name string
		got  int64
		want int64
	}{
		{"ParamHash", ParamHash("name"), golden("param", "name")},
		{"TokenAny", TokenAny("code", "x"), golden("token", "code", "any", "x")},
		{"TokenSystemCode", TokenSystemCode("code", "s", "x"), golden("token", "code", "sc", "s", "x")},
		{"TokenNoSystem", TokenNoSystem("code", "x"), golden("token", "code", "nosys", "x")},
		{"TokenSystem", TokenSystem("code", "s"), golden("token", "code", "sys", "s")},
		{"Present", Present("code"), golden("present", "code")},
		{"TokenOfType", TokenOfType("identifier", "ts", "MR", "v"), golden("of-type", "identifier", "ts", "MR", "v")},
		{"QuantityHash", QuantityHash("value-quantity", "u", "mg"), golden("quantity", "value-quantity", "u", "mg")},
		{"CompositeTokenToken", CompositeTokenToken("c", sc, TokenForm{Kind: FormAny, Code: "y"}),
			golden("composite", "c", "sc", "http://loinc.org", "8480-6", "any", "y")},
		{"CompositeTokenQuantity", CompositeTokenQuantity("c", sc, "", ""),
			golden("composite", "c", "sc", "http://loinc.org", "8480-6", "quantity", "", "")},
		{"CompositeTokenDate", CompositeTokenDate("c", sc), golden("composite", "c", "sc", "http://loinc.org", "8480-6", "date")},
		{"CompositeTokenString", CompositeTokenString("c", sc), golden("composite", "c", "sc", "http://loinc.org", "8480-6", "string")},
		// A stable literal guards against an accidental change of the
		// encoding, which would silently break every stored index.
		{"literal", ParamHash("name"), -0x5574b2b91996a93},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}

// TestHashDistinct checks that inputs that a naive concatenation or
// separator scheme would confuse hash differently.
func TestHashDistinct(t *testing.T) {
	long := string(make([]byte, 300)) // spills out of the stack buffer
	hashes := []int64{
		TokenSystemCode("p", "a|b", "c"), TokenSystemCode("p", "a", "b|c"),
		TokenSystemCode("p", "ab", "c"), TokenSystemCode("p", "a", "bc"),
		TokenSystemCode("p", "", "c"), TokenNoSystem("p", "c"), TokenAny("p", "c"),
		TokenSystem("p", "c"), TokenSystemCode("p", "c", ""), Present("p"), ParamHash("p"),
		QuantityHash("p", "", ""), QuantityHash("p", "", "c"), QuantityHash("p", "c", ""),
		TokenAny("p:text", "c"), TokenAny("p", ":textc"), ParamHash("p:text"),
		TokenSystemCode("p", long, "c"), TokenSystemCode("p", long+"c", ""),
		CompositeTokenDate("p", TokenForm{Kind: FormAny, Code: "c"}),
		CompositeTokenString("p", TokenForm{Kind: FormAny, Code: "c"}),
		CompositeTokenToken("p", TokenForm{Kind: FormAny, Code: "c"}, TokenForm{Kind: FormAny, Code: "d"}),
		CompositeTokenToken("p", TokenForm{Kind: FormAny, Code: "d"}, TokenForm{Kind: FormAny, Code: "c"}),
		CompositeTokenToken("p", TokenForm{Kind: FormSystem, System: "c"}, TokenForm{Kind: FormAny, Code: "d"}),
		TokenOfType("p", "a", "b", "c"), TokenOfType("p", "", "ab", "c"),
	}
	seen := map[int64]int{}
	for i, h := range hashes {
		if j, dup := seen[h]; dup {
			t.Errorf("hash %d equals hash %d", i, j)
		}
		seen[h] = i
	}
}

func TestAppendForms(t *testing.T) {
	tests := []struct {
		system, code string
		want         []TokenForm
	}{
		{"s", "c", []TokenForm{{FormAny, "", "c"}, {FormSystemCode, "s", "c"}, {FormSystem, "s", ""}}},
		{"", "c", []TokenForm{{FormAny, "", "c"}, {FormNoSystem, "", "c"}}},
		{"s", "", []TokenForm{{FormSystem, "s", ""}}},
		{"", "", nil},
		{"s", "Male", []TokenForm{{FormAny, "", "Male"}, {FormSystemCode, "s", "Male"}, {FormSystem, "s", ""}}},
	}
	for _, tt := range tests {
		if got := AppendForms(nil, tt.system, tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("AppendForms(%q, %q) = %v, want %v", tt.system, tt.code, got, tt.want)
		}
	}
}

func TestHashAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		TokenSystemCode("code", "http://loinc.org", "8480-6")
		CompositeTokenQuantity("c", TokenForm{Kind: FormAny, Code: "x"}, "http://unitsofmeasure.org", "mm[Hg]")
	})
	if n != 0 {
		t.Errorf("hashing allocates %v times", n)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"José", "jose"},
		{"Jose\u0301", "jose"}, // decomposed
		{"GARCÍA", "garcia"},
		{"  Hello \t\n  World  ", "hello world"},
		{"ÆSØP", "aesop"},
		{"Straße", "strasse"},
		{"Łódź", "lodz"},
		{"İstanbul", "istanbul"},
		{"Œuvre Ĳssel", "oeuvre ijssel"},
		{"Þór Ðan", "thor dan"},
		{"Ÿvonne ſ", "yvonne s"},
		{"3×4÷2", "3×4÷2"},
		{"ΑΒΓ Ωμέγα", "αβγ ωμεγα"},
		{"Nguyễn Thị Ánh", "nguyen thi anh"},
		{"Ștefănescu ȚEPEȘ", "stefanescu tepes"},
		{"ΣΩΚΡΆΤΗΣ σωκράτης", "σωκρατησ σωκρατησ"},
		{"Ёлкин Йошкар", "елкин иошкар"},
		{"Ğ ǧ Ǎ", "g g a"},
		{"東京 서울", "東京 서울"}, // other scripts are only lower-cased
		{"a\x00b", "a b"},
		{"already normal", "already normal"},
		{"O'Brien", "obrien"}, // punctuation is ignored
		{"O’Brien", "obrien"},
		{"Mary-Kate", "marykate"},
		{"Smith, Jones & Co.", "smith jones co"},
		{"Dr. (retired)", "dr retired"},
		{"¿Qué? «Sí»", "que si"},
		{" ' ", ""},
		{"3×4÷2 $5 +1", "3×4÷2 $5 +1"}, // symbols are kept
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFoldTable checks every letter of Latin-1 Supplement and Latin
// Extended-A folds to lower-case ASCII, and normalization is idempotent.
func TestFoldTable(t *testing.T) {
	if len(foldTable) != 0x180-foldFirst {
		t.Fatalf("foldTable has %d entries", len(foldTable))
	}
	for r := rune(foldFirst); r < 0x180; r++ {
		got := Normalize(string(r))
		if r == '×' || r == '÷' {
			continue
		}
		for _, c := range []byte(got) {
			if c < 'a' || c > 'z' {
				t.Errorf("Normalize(%q) = %q, not lower-case ASCII", r, got)
				break
			}
		}
		if Normalize(got) != got {
			t.Errorf("Normalize is not idempotent on %q", r)
		}
	}
}

// TestExtraFold checks the generated folds: each letter folds to another
// text, which folding keeps as it is, and upper-case letters fold like
// their lower-case ones.
func TestExtraFold(t *testing.T) {
	if len(extraFold) < 300 {
		t.Fatalf("extraFold has %d letters; regenerate it (make generate)", len(extraFold))
	}
	for r, to := range extraFold {
		if got := Normalize(string(r)); got != to || Normalize(got) != got {
			t.Errorf("Normalize(%q) = %q, want %q, stable", r, got, to)
		}
		if u := unicode.ToUpper(r); u != r && unicode.ToLower(u) == r && Normalize(string(u)) != to {
			t.Errorf("Normalize(%q) = %q, want %q like %q", u, Normalize(string(u)), to, r)
		}
	}
}

func TestCap(t *testing.T) {
	long := strings.Repeat("é", 700) // 1400 bytes
	if got := Exact(long); len(got) != 1024 || !utf8.ValidString(got) {
		t.Errorf("Exact: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if got := Exact(strings.Repeat("a", 1023) + "é"); got != strings.Repeat("a", 1023) {
		t.Errorf("Exact cut inside a rune: %q", got[1020:])
	}
	if got := Normalize(long + long); got != strings.Repeat("e", 1024) {
		t.Errorf("Normalize(long) has %d bytes", len(got))
	}
	if got := Exact("a\x00b\xffc"); got != "ab\uFFFDc" {
		t.Errorf("Exact = %q", got)
	}
	if got := Exact("José "); got != "José " {
		t.Errorf("Exact changed the value: %q", got)
	}
}

func TestNormalizeAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Normalize("already normal") }); n != 0 {
		t.Errorf("Normalize of a normal string allocates %v times", n)
	}
}

func TestDateRange(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct{ in, lo, hi string }{
		{"2020", "2020-01-01T00:00:00Z", "2020-12-31T23:59:59.999999Z"},
		{"2020-02", "2020-02-01T00:00:00Z", "2020-02-29T23:59:59.999999Z"},
		{"2021-12", "2021-12-01T00:00:00Z", "2021-12-31T23:59:59.999999Z"},
		{"2020-03-04", "2020-03-04T00:00:00Z", "2020-03-04T23:59:59.999999Z"},
		{"2020-03-04T10:20", "2020-03-04T10:20:00Z", "2020-03-04T10:20:59.999999Z"},
		{"2020-03-04T10:20:30Z", "2020-03-04T10:20:30Z", "2020-03-04T10:20:30.999999Z"},
		{"2020-03-04T10:20:30.5+02:00", "2020-03-04T08:20:30.5Z", "2020-03-04T08:20:30.599999Z"},
		{"2020-03-04T10:20:30.123456-05:30", "2020-03-04T15:50:30.123456Z", "2020-03-04T15:50:30.123456Z"},
		{"2020-03-04T10:20:30.1234567Z", "2020-03-04T10:20:30.123456Z", "2020-03-04T10:20:30.123456Z"},
		{"2020-03-04T23:59:60Z", "2020-03-05T00:00:00Z", "2020-03-05T00:00:00.999999Z"},
		{"9999", "9999-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"},
		{"9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"},
	}
	for _, tt := range tests {
		lo, hi, err := DateRange(tt.in)
		if err != nil {
			t.Errorf("DateRange(%q): %v", tt.in, err)
			continue
		}
		if !lo.Equal(ts(tt.lo)) || !hi.Equal(ts(tt.hi)) || lo.Location() != time.UTC {
			t.Errorf("DateRange(%q) = [%v, %v], want [%s, %s]", tt.in, lo, hi, tt.lo, tt.hi)
		}
	}
	bad := []string{"", "20", "2020-", "2020-13", "2019-02-29", "2020-01-32", "2020-1-01",
		"2020-01-01T", "2020-01-01T25:00", "2020-01-01T10", "2020-01-01T10:00:00.", "2020-01-01 10:00",
		"2020-01-01T10:00:00+2:00", "2020-01-01T10:00:00X", "0000", "2020-01-01Z", "２０２０", "2020-01-01T10:00:00Zjunk"}
	for _, s := range bad {
		if _, _, err := DateRange(s); err == nil {
			t.Errorf("DateRange(%q) succeeded", s)
		}
	}
}

// refNormalize is Normalize without its early stop: it folds the whole
// string (punctuation dropped, as Normalize does) before capping it.
func refNormalize(s string) string {
	if isNormal(s) {
		return Cap(s)
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case isCombining(r) || unicode.IsPunct(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if r >= foldFirst && r < foldFirst+rune(len(foldTable)) {
			writeFolded(&b, r)
		} else if f, ok := extraFold[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return Cap(b.String())
}

// TestNormalizeLong: stopping the folding at the cap changes nothing, for
// strings whose folded form ends around the cap (spaces, combining marks,
// letters folding to two, letters of 2 and 3 bytes at the boundary) and
// for long ones.
func TestNormalizeLong(t *testing.T) {
	parts := []string{"a", "B", " ", "  ", "\t", "é", "e\u0301", "ß", "Æ", "東", "ễ", "\x00", "Σ", "\u0301\u0301", "'", "’", "-", " - "}
	r := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		var b strings.Builder
		for n := 900 + r.IntN(300); b.Len() < n; {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		if got, want := Normalize(s), refNormalize(s); got != want {
			t.Fatalf("Normalize(%q)\n= %q\nwant %q", s, got, want)
		}
	}
	for _, s := range []string{strings.Repeat("Émile ", 200_000), strings.Repeat("é", 600) + strings.Repeat(" ", 1000) + "x", strings.Repeat(" x", 600)} {
		if got, want := Normalize(s), refNormalize(s); got != want {
			t.Fatalf("Normalize(%.40q...) = %.40q..., want %.40q...", s, got, want)
		}
	}
}
