package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// The decoder as it was, token by token, is the reference for decode: the
// same tree, the same repeated keys, the same first error.

// refDecoder builds the generic tree from JSON tokens. Walking tokens instead of
// calling json.Unmarshal is what lets it see duplicate keys, which
// encoding/json and google/fhir both silently resolve to the last value.
type refDecoder struct {
	dec   *json.Decoder
	path  path
	depth int
	// dups maps the canonical path of an object to its repeated keys. It
	// stays nil until a duplicate turns up.
	dups map[string][]dupKey
}

// document reads the top-level object and makes sure nothing follows it.
func (d *refDecoder) document() (map[string]any, error) {
	d.dec.UseNumber()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, notObjectError{tok}
	}
	tree, err := d.object()
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errTrailing
	}
	return tree, nil
}

func (d *refDecoder) value() (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); ok {
		if delim == '{' {
			return d.object()
		}
		return d.array()
	}
	return tok, nil
}

func (d *refDecoder) object() (map[string]any, error) {
	if d.depth++; d.depth > maxDepth {
		return nil, errTooDeep
	}
	m := make(map[string]any)
	for d.dec.More() {
		offset := d.dec.InputOffset()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // the refDecoder only returns strings in key position
		d.path = append(d.path, seg{kind: segKey, key: key})
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.path = d.path[:len(d.path)-1]
		if _, dup := m[key]; dup {
			d.duplicate(key, offset)
		}
		m[key] = v
	}
	d.depth--
	_, err := d.dec.Token() // the closing brace
	return m, err
}

func (d *refDecoder) array() ([]any, error) {
	if d.depth++; d.depth > maxDepth {
		return nil, errTooDeep
	}
	a := []any{}
	for i := 0; d.dec.More(); i++ {
		d.path = append(d.path, seg{kind: segIndex, index: i})
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.path = d.path[:len(d.path)-1]
		a = append(a, v)
	}
	d.depth--
	_, err := d.dec.Token() // the closing bracket
	return a, err
}

func (d *refDecoder) duplicate(key string, offset int64) {
	if d.dups == nil {
		d.dups = map[string][]dupKey{}
	}
	at := d.path.canonical()
	d.dups[at] = append(d.dups[at], dupKey{key: key, offset: offset})
}

// refDecode is decode with the reference decoder.
func refDecode(body []byte) (map[string]any, map[string][]dupKey, *issue) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, bodyIssue("The request body is empty; a FHIR resource in JSON is required.")
	}
	if !utf8.Valid(body) || loneSurrogate(body) {
		return decode(body) // checked before decoding: not what is compared
	}
	d := &refDecoder{dec: json.NewDecoder(bytes.NewReader(body))}
	tree, err := d.document()
	if err != nil {
		return nil, nil, syntaxIssue(err)
	}
	return tree, d.dups, nil
}

// compareDecode fails when decode and refDecode differ on body.
func compareDecode(t *testing.T, body []byte) {
	t.Helper()
	tree, dups, is := decode(body)
	wantTree, wantDups, wantIs := refDecode(body)
	if fmt.Sprint(is) != fmt.Sprint(wantIs) {
		t.Fatalf("%.200q: issue %v, want %v", body, is, wantIs)
	}
	if !reflect.DeepEqual(tree, wantTree) {
		t.Fatalf("%.200q: tree %v, want %v", body, tree, wantTree)
	}
	if !reflect.DeepEqual(dups, wantDups) {
		t.Fatalf("%.200q: repeated keys %v, want %v", body, dups, wantDups)
	}
}

func TestDecodeAsBefore(t *testing.T) {
	deep := func(n int, inner string) string {
		return `{"resourceType":"Patient","a":` + strings.Repeat(`[`, n) + inner + strings.Repeat(`]`, n) + `}`
	}
	var many strings.Builder
	many.WriteString(`{"resourceType":"Patient"`)
	for i := range 100 {
		fmt.Fprintf(&many, `,"k%d":{"x":1,"x":2},"k%d":[1]`, i%40, i)
	}
	many.WriteString(`,"\u006b3":0,"k\u0033":{"\u0061":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"a":18,"r":19,"\u0062":20}}`)
	bodies := []string{
		`{"resourceType":"Patient","name":[{"family":"x","family":"y","given":["a",null,"b"]}],"a\"b":{"c":[[1,2],{"d":true}]},"e\u0041":{},"eA":1}`,
		` { "a" : [ { } , [ ] , "s\\\"" , -1.5e3 ] , "a" : { "b" : null, "b":1, "\u0062": 2 } } `,
		`{"a":{"x":1,"x":2},"a":{"y":1,"y":{"z":1,"z":1}}}`,
		many.String(),
		`[1]`, `"x"`, `12`, `true`, `null`, `{`, `{"a":}`, `{"a":1,}`, `{"a":1} x`, `{"a":1}{}`, `{"a" 1}`, `{"a":[1,]}`,
		`{"a":"\x"}`, `{"a":01}`, `{"a":1e}`, `{"a":tru}`, "{\"a\":\"\x01\"}",
		deep(99, "1"), deep(100, "1"), deep(120, "1"), deep(120, "x"), deep(99, "x"),
		`{"a":x` + deep(120, "1")[1:], deep(98, `{"b":1,"b":2}`), deep(99, `{}`), strings.Repeat("[", 20000),
		strings.Repeat(`{"a":`, 200) + "x",
	}
	for _, name := range []string{"patient.json", "observation.json", "encounter.json"} {
		bodies = append(bodies, string(fixture(t, name)))
	}
	for _, b := range bodies {
		compareDecode(t, []byte(b))
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"a":{"x":1,"x":2},"a":{"y":1,"y":{"z":1,"z":1}},"b":[[[{"c":1,"\u0063":2}]]]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		compareDecode(t, body)
	})
}

// TestDuplicateKeysAtDepth: repeated keys are reported at every depth,
// inside arrays and contained resources and under names that need quoting,
// and also in a second occurrence of a repeated key.
func TestDuplicateKeysAtDepth(t *testing.T) {
	body := `{"resourceType":"Patient","name":[{"given":["a"]},{"family":"a","family":"b"}],
	  "contained":[{"resourceType":"Basic","id":"b","subject":{"reference":"#"},"code":{"text":"x","text":"y"}}],
	  "x y":{"a b":1,"a b":2},"x y":{"c":{"d":1,"d":2}}}`
	_, err := Resource([]byte(body), "")
	checkIssues(t, err, []want{
		{fhir.IssueStructure, "Patient.name[1].family"},
		{fhir.IssueStructure, "Patient.contained[0].ofType(Basic).code.text"},
		{fhir.IssueStructure, "Patient.`x y`.`a b`"},
		{fhir.IssueStructure, "Patient.`x y`"}, // at its second occurrence
		{fhir.IssueStructure, "Patient.`x y`.c.d"},
	})
}
