package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fhirbase-go/fhird/bench/gen"
	"github.com/fhirbase-go/fhird/bench/load"
)

func TestBenchFlagsLoads(t *testing.T) {
	c := &config{Tenant: "default"}
	tests := []struct {
		args    []string
		want    []load.Load
		wantErr bool
	}{
		{nil, []load.Load{{Concurrency: 1}, {Concurrency: 16}, {Concurrency: 64}}, false},
		{[]string{"-c", "2, 8"}, []load.Load{{Concurrency: 2}, {Concurrency: 8}}, false},
		{[]string{"-c", "4", "-rate", "100,200"}, []load.Load{{Rate: 100}, {Rate: 200}}, false},
		{[]string{"-c", "0"}, nil, true},
		{[]string{"-c", "1,x"}, nil, true},
		{[]string{"-rate", "-5"}, nil, true},
	}
	for _, tt := range tests {
		f, err := parseBenchFlags(c, tt.args)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		got, err := f.loads()
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("%v: loads = %v, %v; want %v (error %v)", tt.args, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestBenchFlagsScenarios(t *testing.T) {
	c := &config{Tenant: "default"}
	for args, want := range map[string][]string{"all": nil, "read, mixed": {"read", "mixed"}} {
		f, err := parseBenchFlags(c, []string{"-scenarios", args})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.scenarioList(); !reflect.DeepEqual(got, want) {
			t.Errorf("-scenarios %q = %v, want %v", args, got, want)
		}
	}
	if _, err := parseBenchFlags(c, []string{"stray"}); err == nil {
		t.Error("a stray argument parsed without error")
	}
}

func TestGenBodiesAreNewPatientsOfTheDataset(t *testing.T) {
	b := genBodies{g: gen.New(gen.Config{Seed: 1, Patients: 10}), from: 10}
	var p struct{ ResourceType string }
	if err := json.Unmarshal(b.Patient(0), &p); err != nil || p.ResourceType != "Patient" {
		t.Fatalf("Patient(0) is a %q (%v)", p.ResourceType, err)
	}
	var bundle struct {
		Type  string
		Entry []json.RawMessage
	}
	if err := json.Unmarshal(b.Bundle(0), &bundle); err != nil || bundle.Type != "transaction" || len(bundle.Entry) < 10 {
		t.Fatalf("Bundle(0): type %q, %d entries (%v)", bundle.Type, len(bundle.Entry), err)
	}
	if string(b.Patient(0)) == string(b.Patient(1)) {
		t.Error("two create bodies are the same")
	}
}
