package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/examples"
)

// minimalResources are the instances of the types the official examples
// package has no acceptable example of: the five substance types have
// none, and the only examples of the others are refused for a genuine
// error (testdata/examples/refused.txt).
var minimalResources = map[string]string{
	"DeviceMetric":                  `{"resourceType":"DeviceMetric","type":{"text":"heart rate"},"category":"measurement","source":{"reference":"Device/d1"}}`,
	"DeviceUseStatement":            `{"resourceType":"DeviceUseStatement","status":"active","subject":{"reference":"Patient/p1"},"device":{"reference":"Device/d1"}}`,
	"EventDefinition":               `{"resourceType":"EventDefinition","status":"draft","trigger":[{"type":"named-event","name":"admission"}]}`,
	"SubstanceNucleicAcid":          `{"resourceType":"SubstanceNucleicAcid","numberOfSubunits":1}`,
	"SubstancePolymer":              `{"resourceType":"SubstancePolymer","modification":["none"]}`,
	"SubstanceProtein":              `{"resourceType":"SubstanceProtein","numberOfSubunits":2}`,
	"SubstanceReferenceInformation": `{"resourceType":"SubstanceReferenceInformation","comment":"c"}`,
	"SubstanceSourceMaterial":       `{"resourceType":"SubstanceSourceMaterial","organismName":"o"}`,
}

// TestEveryType runs the interactions of the REST API on every type of the
// registry, so that no type can be added without them working: create,
// read, vread, update, patch, search by _id and by _tag, history and
// delete, then conditional create, a transaction with a conditional update
// and a conditional delete, each with its smallest official example (or a
// minimal instance where the package has none).
func TestEveryType(t *testing.T) {
	c := testServer(t)
	refused := examples.Refused(t, "../testdata/examples/refused.txt")
	fixtures := examples.Smallest(t, func(e examples.Example) bool {
		_, ok := fhir.LookupType(e.Type)
		return ok && refused[e.File] == ""
	})
	for _, rt := range fhir.Types() {
		body := minimalResources[rt.Name]
		if ex, ok := fixtures[rt.Name]; ok && body == "" {
			body = string(ex.Body)
		}
		if body == "" {
			t.Errorf("%s: no example and no minimal instance", rt.Name)
			continue
		}
		t.Run(rt.Name, func(t *testing.T) {
			exerciseType(t, c, rt.Name, body)
			exerciseConditional(t, c, rt.Name, body)
		})
	}
}

// exerciseType runs every interaction on one resource of type typ.
func exerciseType(t *testing.T, c *client, typ, body string) {
	base := "/fhir/" + typ
	created := c.do("POST", base, body).want(t, 201).json(t)
	id, _ := created["id"].(string)
	c.do("GET", base+"/"+id).want(t, 200)
	c.do("GET", base+"/"+id+"/_history/1").want(t, 200)

	created["meta"] = map[string]any{"tag": []any{map[string]any{"system": "http://fhird.test/tag", "code": "v2"}}}
	updated, _ := json.Marshal(created)
	r := c.do("PUT", base+"/"+id, string(updated)).want(t, 200)
	if got := r.Header.Get("ETag"); got != `W/"2"` {
		t.Errorf("update: ETag %q, want W/\"2\"", got)
	}
	patch := `[{"op":"add","path":"/meta/tag/-","value":{"system":"http://fhird.test/tag","code":"v3"}}]`
	c.do("PATCH", base+"/"+id, patch, "Content-Type: application/json-patch+json").want(t, 200)

	for _, q := range []string{"_id=" + id, "_tag=http://fhird.test/tag|v3", "_id=" + id + "&_tag=v2"} {
		if ids := searchIDs(t, c, typ+"?"+q); len(ids) != 1 || ids[0] != id {
			t.Errorf("%s?%s found %v, want [%s]", typ, q, ids, id)
		}
	}
	if n := len(entries(t, c.do("GET", base+"/"+id+"/_history").want(t, 200))); n != 3 {
		t.Errorf("history: %d versions, want 3", n)
	}
	if r := c.do("DELETE", base+"/"+id); r.StatusCode != 200 && r.StatusCode != 204 {
		t.Errorf("DELETE: status %d, want 200 or 204", r.StatusCode)
	}
	c.do("GET", base+"/"+id).want(t, 410)
	if ids := searchIDs(t, c, typ+"?_id="+id); len(ids) != 0 {
		t.Errorf("deleted, still found: %v", ids)
	}
}

// exerciseConditional runs the conditional interactions on one resource
// of type typ: a conditional create (twice: the second finds the first),
// a transaction with a conditional update and a search, and a conditional
// delete.
func exerciseConditional(t *testing.T, c *client, typ, body string) {
	var res map[string]any
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	delete(res, "id")
	res["meta"] = map[string]any{"tag": []any{map[string]any{"system": "http://fhird.test/cond", "code": typ}}}
	tagged, _ := json.Marshal(res)
	cond := "_tag=http://fhird.test/cond|" + typ
	first := c.do("POST", "/fhir/"+typ, string(tagged), "If-None-Exist: "+cond).want(t, 201).json(t)
	c.do("POST", "/fhir/"+typ, string(tagged), "If-None-Exist: "+cond).want(t, 200)

	res["meta"].(map[string]any)["tag"] = append(res["meta"].(map[string]any)["tag"].([]any),
		map[string]any{"system": "http://fhird.test/tag", "code": "in-transaction"})
	bundle, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"resource": res, "request": map[string]any{"method": "PUT", "url": typ + "?" + cond}},
		map[string]any{"request": map[string]any{"method": "GET", "url": typ + "?" + cond}},
	}})
	got := entries(t, c.do("POST", "/fhir", string(bundle)).want(t, 200))
	if len(got) != 2 || status(got[0]) != "200 OK" {
		t.Fatalf("transaction: %v", got)
	}
	if ids := searchIDs(t, c, typ+"?_tag=in-transaction&_id="+first["id"].(string)); len(ids) != 1 {
		t.Errorf("the conditional update in the transaction did not update %s: found %v", first["id"], ids)
	}
	if r := c.do("DELETE", "/fhir/"+typ+"?"+cond); r.StatusCode != 200 && r.StatusCode != 204 {
		t.Errorf("conditional DELETE: status %d", r.StatusCode)
	}
	if ids := searchIDs(t, c, typ+"?"+cond); len(ids) != 0 {
		t.Errorf("conditionally deleted, still found: %v", ids)
	}
}

// searchIDs returns the ids of the matches of a search.
func searchIDs(t *testing.T, c *client, query string) []string {
	t.Helper()
	b := c.do("GET", "/fhir/"+query).want(t, 200).json(t)
	var ids []string
	list, _ := b["entry"].([]any)
	for _, e := range list {
		entry := e.(map[string]any)
		if mode, _ := entry["search"].(map[string]any)["mode"].(string); mode != "match" {
			continue
		}
		ids = append(ids, entry["resource"].(map[string]any)["id"].(string))
	}
	return ids
}

// The report that opened issue 12: a Synthea-shaped transaction of one
// visit (Patient, Encounter, Observation, Condition, MedicationRequest,
// Immunization, Procedure, DiagnosticReport, each referring to the others
// by urn:uuid) was refused with 404 "resource type MedicationRequest is not
// supported". It is stored whole, its references rewritten.
func TestSyntheaShapedTransaction(t *testing.T) {
	c := testServer(t)
	const (
		pat = "urn:uuid:0b6f0c5e-4c1c-4bde-9a6d-1f1d1b6a0001"
		enc = "urn:uuid:0b6f0c5e-4c1c-4bde-9a6d-1f1d1b6a0002"
		obs = "urn:uuid:0b6f0c5e-4c1c-4bde-9a6d-1f1d1b6a0003"
	)
	subj := `"subject":{"reference":"` + pat + `"},"encounter":{"reference":"` + enc + `"}`
	entry := func(fullURL, typ, body string) string {
		if fullURL == "" {
			fullURL = "urn:uuid:" + strings.ToLower(typ) + "-0b6f0c5e-4c1c-4bde-9a6d"
		}
		return `{"fullUrl":"` + fullURL + `","resource":{"resourceType":"` + typ + `",` + body + `},"request":{"method":"POST","url":"` + typ + `"}}`
	}
	bundle := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join([]string{
		entry(pat, "Patient", `"name":[{"family":"Synthea"}],"gender":"female","birthDate":"1970-01-01"`),
		entry(enc, "Encounter", `"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"`+pat+`"}`),
		entry(obs, "Observation", `"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},`+subj+`,"valueQuantity":{"value":170,"unit":"cm","system":"http://unitsofmeasure.org","code":"cm"}`),
		entry("", "Condition", `"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},`+subj),
		entry("", "MedicationRequest", `"status":"active","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975"}]},`+subj),
		entry("", "Immunization", `"status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"patient":{"reference":"`+pat+`"},"encounter":{"reference":"`+enc+`"},"occurrenceDateTime":"2020-01-01T10:00:00Z"`),
		entry("", "Procedure", `"status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"430193006"}]},`+subj),
		entry("", "DiagnosticReport", `"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"51990-0"}]},`+subj+`,"result":[{"reference":"`+obs+`"}]`),
	}, ",") + `]}`
	got := entries(t, c.do("POST", "/fhir", bundle).want(t, 200))
	if len(got) != 8 {
		t.Fatalf("%d entries, want 8", len(got))
	}
	for i, e := range got {
		if s := status(e); !strings.HasPrefix(s, "201") {
			t.Errorf("entry %d: status %q, want 201", i, s)
		}
	}
	patID := strings.TrimPrefix(strings.Split(got[0]["response"].(map[string]any)["location"].(string), "/_history")[0], "Patient/")
	for _, typ := range []string{"Encounter", "Observation", "Condition", "MedicationRequest", "Immunization", "Procedure", "DiagnosticReport"} {
		if ids := searchIDs(t, c, typ+"?patient=Patient/"+patID); len(ids) != 1 {
			t.Errorf("%s?patient=Patient/%s found %v, want one", typ, patID, ids)
		}
	}
}
