package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	mpgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fhirbase-go/fhird/migrations"
)

// Migrate brings the database named in ownerURL to the latest schema,
// creating the database first when it does not exist, and makes sure the
// server role appRole exists with the privileges it needs and nothing more.
// It runs as the owner.
func Migrate(ctx context.Context, ownerURL, appRole string) (err error) {
	defer wrapf(&err, "store.Migrate")
	if err := createDatabase(ctx, ownerURL); err != nil {
		return err
	}
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return err
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, migrateURL(ownerURL))
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return grantAppRole(ctx, ownerURL, appRole)
}

// LatestVersion is the number of the newest embedded migration.
func LatestVersion() uint {
	entries, _ := fs.Glob(migrations.FS, "*.up.sql")
	sort.Strings(entries)
	if len(entries) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(strings.SplitN(entries[len(entries)-1], "_", 2)[0])
	return uint(n)
}

// migrateURL turns a postgres:// URL into the pgx5:// form the migrate
// driver registers, and keeps its bookkeeping table out of the way.
func migrateURL(u string) string {
	for _, p := range []string{"postgresql://", "postgres://"} {
		if strings.HasPrefix(u, p) {
			u = "pgx5://" + strings.TrimPrefix(u, p)
			break
		}
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "x-migrations-table=schema_migrations"
}

var _ = mpgx.DefaultMigrationsTable // the pgx5:// driver registers itself

// createDatabase creates the database of ownerURL when it is missing, by
// connecting to the maintenance database "postgres" on the same server.
func createDatabase(ctx context.Context, ownerURL string) error {
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		return fmt.Errorf("parse database URL: %w", err)
	}
	name := cfg.Database
	conn, err := pgx.Connect(ctx, ownerURL)
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return err
	}
	maint, err := withDatabase(ownerURL, "postgres")
	if err != nil {
		return err
	}
	c, err := pgx.Connect(ctx, maint)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile
		return nil
	}
	return err
}

// withDatabase returns the URL u pointed at database db.
func withDatabase(u, db string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	p.Path = "/" + db
	return p.String(), nil
}

// grantAppRole creates the server's login role when missing and grants it
// data privileges only: it owns nothing, so forced row-level security
// applies to it, and it can neither bypass RLS nor change the schema.
func grantAppRole(ctx context.Context, ownerURL, role string) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	r := pgx.Identifier{role}.Sanitize()
	_, err = conn.Exec(ctx, "CREATE ROLE "+r+" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505")) {
		return err // 42710: exists; 23505: created concurrently by another migrator
	}
	stmts := []string{
		"GRANT CONNECT ON DATABASE " + pgx.Identifier{conn.Config().Database}.Sanitize() + " TO " + r,
		// Imports copy into session temporary staging tables (see Import);
		// PUBLIC has this privilege by default, a hardened database may not.
		"GRANT TEMPORARY ON DATABASE " + pgx.Identifier{conn.Config().Database}.Sanitize() + " TO " + r,
		"GRANT USAGE ON SCHEMA public TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
		"REVOKE ALL ON schema_migrations FROM " + r,
		"GRANT SELECT ON schema_migrations TO " + r,
		"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + r,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO " + r,
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// VacuumAnalyze vacuums every table and refreshes the planner's
// statistics, as the owner (the server role may not). After a bulk import
// the tables have grown by more than autovacuum has caught up with (or
// autovacuum is off): plans made on the old statistics (generic plans
// especially, see search.Statement) can be far off, and until a VACUUM
// marks the new pages all-visible every index-only scan of an index table
// still reads the heap, and the first reads of each row write its hint
// bits. VACUUM skips the pages already all-visible, so its cost is that
// of the pages the import wrote.
func VacuumAnalyze(ctx context.Context, ownerURL string) (err error) {
	defer wrapf(&err, "store.VacuumAnalyze")
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "VACUUM (ANALYZE)")
	return err
}
