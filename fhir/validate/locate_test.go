package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"unicode/utf8"
)

// refPositions is the way issues were located before locate: json.Decoder
// gives the offset of every element (the first of repeated keys) and of
// the end of every object (the last of repeated keys), by canonical path.
// It returns them with the expression of every element.
func refPositions(t *testing.T, body []byte) (map[string]int64, []string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	pos := map[string]int64{"": 0}
	var exprs []string
	var p path
	mark := func(offset int64) {
		if _, seen := pos[p.canonical()]; !seen {
			pos[p.canonical()] = offset
			exprs = append(exprs, p.expr("Patient"))
		}
	}
	var value func() error
	value = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				offset := dec.InputOffset()
				key, err := dec.Token()
				if err != nil {
					return err
				}
				p = append(p, seg{kind: segKey, key: key.(string)})
				mark(offset)
				if err := value(); err != nil {
					return err
				}
				p = p[:len(p)-1]
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			pos[p.canonical()+"\x00end"] = dec.InputOffset()
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				p = append(p, seg{kind: segIndex, index: i})
				mark(dec.InputOffset())
				if err := value(); err != nil {
					return err
				}
				p = p[:len(p)-1]
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := value(); err != nil {
		t.Fatal(err)
	}
	return pos, exprs
}

// refOffset is offsetOf as it was: the element, or the end of its nearest
// ancestor in the body, or 0.
func refOffset(pos map[string]int64, expr string) int64 {
	_, p, ok := parseExpr(expr)
	if !ok {
		return 0
	}
	p = p.withoutOfType()
	if off, found := pos[p.canonical()]; found {
		return off
	}
	for len(p) > 0 {
		p = p[:len(p)-1]
		if off, found := pos[p.canonical()+"\x00end"]; found {
			return off
		}
	}
	return 0
}

// TestLocate checks that locate puts every element, and every element
// missing below one, where the decoder-based positions did.
func TestLocate(t *testing.T) {
	bodies := []string{
		`{"resourceType":"Patient","name":[{"family":"x","family":"y","given":["a",null,"b"]}],"a\"b":{"c":[[1,2],{"d":true}]},"e\u0041":{}}`,
		` { "resourceType" : "Patient" , "x" : [ { } , [ ] , "s\\\"" , -1.5e3 ] , "x" : { "y" : null } } `,
	}
	for _, name := range []string{"patient.json", "observation.json", "encounter.json"} {
		bodies = append(bodies, string(fixture(t, name)))
	}
	for n, body := range bodies {
		pos, exprs := refPositions(t, []byte(body))
		var issues []issue
		for _, e := range exprs {
			issues = append(issues, issue{expr: e, offset: -1}, issue{expr: e + ".missing", offset: -1},
				issue{expr: e + "[7]", offset: -1})
		}
		issues = append(issues, issue{expr: "Patient", offset: -1}, issue{expr: "Patient.missing.deeper", offset: -1},
			issue{expr: "Patient.contained[0].ofType(Patient).name", offset: -1}, issue{expr: "", offset: -1},
			issue{expr: "not an expression[", offset: -1}, issue{expr: "Patient.name", offset: 12345})
		want := make([]int64, len(issues))
		for i, is := range issues {
			want[i] = is.offset
			if is.offset < 0 {
				want[i] = refOffset(pos, is.expr)
			}
		}
		locate([]byte(body), issues)
		for i, is := range issues {
			if is.offset != want[i] {
				t.Errorf("body %d: %s at %d, want %d", n, is.expr, is.offset, want[i])
			}
		}
		if len(exprs) < 5 {
			t.Fatalf("body %d: only %d elements", n, len(exprs))
		}
	}
}

// TestLocateMalformed makes sure locate ends on text that is not JSON.
func TestLocateMalformed(t *testing.T) {
	for _, body := range []string{`{"a":[}`, `{"a":{"b"`, `[1,]]]`, `{"a":"unterminated`, `}`, `{"a" 1}`, `{"a":[1 2 ]}`} {
		issues := []issue{{expr: "Patient.a[0].b", offset: -1}, {expr: "Patient.a", offset: -1}}
		locate([]byte(body), issues)
		for _, is := range issues {
			if is.offset < 0 {
				t.Errorf("%s: %s not placed", body, fmt.Sprint(is))
			}
		}
	}
}

// FuzzLocate compares locate with the decoder-based positions on any JSON.
func FuzzLocate(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(` { "a" : [ { } , [ ] , "s\\\"" , -1.5e3 ] , "a" : { "b" : null } } `))
	f.Fuzz(func(t *testing.T, body []byte) {
		// decode refuses invalid UTF-8 and lone surrogates before locate runs.
		if !json.Valid(body) || !utf8.Valid(body) || loneSurrogate(body) || bytes.Count(body, []byte("[")) > 50 || bytes.Count(body, []byte("{")) > 50 {
			t.Skip()
		}
		pos, exprs := refPositions(t, body)
		var issues []issue
		for _, e := range exprs {
			issues = append(issues, issue{expr: e, offset: -1}, issue{expr: e + ".missing", offset: -1})
		}
		locate(body, issues)
		for _, is := range issues {
			if want := refOffset(pos, is.expr); is.offset != want {
				t.Errorf("%s at %d, want %d", is.expr, is.offset, want)
			}
		}
	})
}
