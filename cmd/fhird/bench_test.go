package main

import (
	"reflect"
	"testing"

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
