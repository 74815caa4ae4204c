package main

import (
	"context"
	"errors"
	"log/slog"
)

// importCmd loads NDJSON files; see bulk.
func importCmd(ctx context.Context, c *config, log *slog.Logger, args []string) error {
	return errors.New("import: not built yet")
}
