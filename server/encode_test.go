package server

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMarshalBundleSplicesStoredJSON(t *testing.T) {
	stored := json.RawMessage(`{"resourceType": "Patient", "id": "a", "name": [{"text": "#raw:00:0#"}]}`)
	b := &bundle{ResourceType: "Bundle", Type: "history", Entry: []bundleEntry{
		{FullURL: "http://x/Patient/a", Resource: stored, Request: &entryRequest{Method: "PUT", URL: "Patient/a"}},
		{FullURL: "http://x/Patient/b", Request: &entryRequest{Method: "DELETE", URL: "Patient/b"}},
		{Resource: json.RawMessage(`{"resourceType":"Patient","id":"c"}`), Response: &entryResponse{Status: "200 OK",
			Outcome: json.RawMessage(`{"resourceType":"OperationOutcome"}`)}},
	}}
	want, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := marshalBundle(b, b.slots())
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if compact.String() != string(want) {
		t.Errorf("got  %s\nwant %s", compact.Bytes(), want)
	}
	if !bytes.Contains(got, stored) {
		t.Errorf("the stored JSON was not spliced as it is: %s", got)
	}
	if string(b.Entry[0].Resource) != string(stored) || b.Entry[1].Resource != nil {
		t.Errorf("slots not restored: %s / %s", b.Entry[0].Resource, b.Entry[1].Resource)
	}
}

func BenchmarkMarshalBundle(b *testing.B) {
	// About the size of a generated Patient (1.3 kB).
	res := json.RawMessage(`{"resourceType": "Patient", "name": [` +
		string(bytes.Repeat([]byte(`{"family": "Müller", "given": ["Zoë", "Anne-Sophie"], "use": "official"}, `), 18)) + `{}]}`)
	s := &searchset{ResourceType: "Bundle", Type: "searchset"}
	for range 50 {
		s.Entry = append(s.Entry, searchEntry{FullURL: "http://x/Patient/1", Resource: res, Search: &entrySearch{Mode: "match"}})
	}
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(s)
		}
	})
	b.Run("marshalBundle", func(b *testing.B) {
		for b.Loop() {
			_, _ = marshalBundle(s, s.slots())
		}
	})
}
