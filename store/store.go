package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fhirbase-go/fhird/fhir"
)

// Config says how the store reaches the database.
type Config struct {
	// URL is the connection URL of the server role (not the owner).
	URL string
	// MaxConns and MinConns size the pool; zero keeps pgxpool's defaults.
	MaxConns int32
	MinConns int32
	// StatementTimeout bounds every statement; zero means no bound.
	StatementTimeout time.Duration
	// BaseURL is the server's base: references to absolute URLs under it
	// are indexed as the relative references they are (index.ExtractUnder).
	BaseURL string
}

// Store implements fhir.Repository on a pgx pool.
type Store struct {
	pool     *pgxpool.Pool
	timeout  string // statement_timeout setting, e.g. "5000ms"
	stmts    map[string]*statements
	typeList []*fhir.ResourceType
	base     string // Config.BaseURL
}

var _ fhir.Repository = (*Store)(nil)

// New connects to the database and refuses to serve when the role it
// connects as could see other tenants' rows: a superuser, a role with
// BYPASSRLS, or the owner of any table.
func New(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("store.New: parse URL: %w", err)
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	if cfg.MinConns > 0 {
		pc.MinConns = cfg.MinConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("store.New: %w", err)
	}
	if err := checkRole(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, stmts: map[string]*statements{}, typeList: fhir.Types(), base: cfg.BaseURL}
	if cfg.StatementTimeout > 0 {
		s.timeout = fmt.Sprintf("%dms", cfg.StatementTimeout.Milliseconds())
	}
	for _, t := range s.typeList {
		s.stmts[t.Name] = newStatements(t)
	}
	return s, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the pool's statistics for metrics.
func (s *Store) Stat() *pgxpool.Stat { return s.pool.Stat() }

// errUnsafeRole is returned when the server role could bypass row-level
// security.
var errUnsafeRole = errors.New("the database role can bypass row-level security (superuser, BYPASSRLS or table owner); connect as the server role")

func checkRole(ctx context.Context, pool *pgxpool.Pool) error {
	var super, bypass bool
	var owned int
	err := pool.QueryRow(ctx, `
		SELECT r.rolsuper, r.rolbypassrls,
		       (SELECT count(*) FROM pg_tables t WHERE t.tableowner = current_user AND t.schemaname = 'public')
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&super, &bypass, &owned)
	if err != nil {
		return fmt.Errorf("store.New: check role: %w", err)
	}
	if super || bypass || owned > 0 {
		return errUnsafeRole
	}
	return nil
}

// Ready reports whether the database answers and its schema is the one
// this binary embeds.
func (s *Store) Ready(ctx context.Context) error {
	var version int64
	var dirty bool
	err := s.pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&version, &dirty)
	if errors.Is(err, pgx.ErrNoRows) {
		return errors.New("schema not migrated")
	}
	if err != nil {
		return fhir.Errorf(fhir.KindUnavailable, fhir.IssueTransient, "database unavailable").Wrap(err)
	}
	if dirty || uint(version) != LatestVersion() {
		return fmt.Errorf("schema at version %d (dirty %v), binary expects %d", version, dirty, LatestVersion())
	}
	return nil
}
