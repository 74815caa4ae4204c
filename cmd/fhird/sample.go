package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/validate"
)

// loadSamples stores the resources of dir (one JSON file each, with fixed
// ids) into tenant when the tenant holds nothing yet, so a fresh `make run`
// has data to show and a restart changes nothing.
func loadSamples(ctx context.Context, repo fhir.Repository, tenant, dir string, log *slog.Logger) error {
	ctx = fhir.WithTenant(ctx, tenant)
	page, err := repo.History(ctx, fhir.HistoryQuery{Count: 1})
	if err != nil {
		return fmt.Errorf("sample data: %w", err)
	}
	if len(page.Entries) > 0 {
		log.Info("sample data not loaded: the tenant has data", slog.String("tenant", tenant))
		return nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := loadSample(ctx, repo, f); err != nil {
			return fmt.Errorf("sample data %s: %w", f, err)
		}
	}
	log.Info("sample data loaded", slog.String("tenant", tenant), slog.Int("resources", len(files)))
	return nil
}

func loadSample(ctx context.Context, repo fhir.Repository, file string) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	res, err := validate.Resource(body, "")
	if err != nil {
		return err
	}
	typ, _ := res["resourceType"].(string)
	id, _ := res["id"].(string)
	_, _, err = repo.Update(ctx, typ, id, res, 0)
	return err
}
