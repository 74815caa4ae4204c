package main

import (
	"context"
	"errors"
	"log/slog"
)

// benchCmd runs load scenarios; see bench/load.
func benchCmd(ctx context.Context, c *config, log *slog.Logger, args []string) error {
	return errors.New("bench: not built yet")
}
