package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/search"
)

// Exec runs one compiled search statement inside the tenant boundary the
// way Search does (runStatement: the tenant setting and the statement in
// one batch, with the generic plan where the statement allows) and drains
// its rows
// without decoding them, returning how many it read. It is the benchmark
// floor: the database's share of a search, without the page building, the
// Bundle and the HTTP around it.
func (s *Store) Exec(ctx context.Context, st search.Statement) (rows int, err error) {
	defer wrapf(&err, "store.Exec")
	err = s.runStatement(ctx, st, func(br pgx.BatchResults) error {
		r, err := br.Query()
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			rows++
		}
		return r.Err()
	})
	return rows, err
}

// ServerVersion returns the PostgreSQL version string (SELECT version()).
// It reads no tenant data, so it runs outside the tenant boundary.
func (s *Store) ServerVersion(ctx context.Context) (v string, err error) {
	defer wrapf(&err, "store.ServerVersion")
	err = s.pool.QueryRow(ctx, `SELECT version()`).Scan(&v)
	return v, err
}
