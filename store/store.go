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
	// StatementTimeout bounds every statement, its preparation included
	// (it is the connections' session setting); zero means no bound.
	StatementTimeout time.Duration
	// AcquireTimeout bounds how long an interaction waits for a free
	// connection (KindUnavailable after it); zero: as long as its context
	// lets it.
	AcquireTimeout time.Duration
	// MaxWaiting bounds how many interactions wait for a connection at
	// once; one more is refused at once (KindUnavailable, throttled), so
	// that a queue of requests cannot grow without end. Zero: no bound.
	MaxWaiting int
	// BaseURL is the server's base: references to absolute URLs under it
	// are indexed as the relative references they are (index.ExtractUnder).
	BaseURL string
}

// Store implements fhir.Repository on a pgx pool.
type Store struct {
	pool     *pgxpool.Pool
	health   *pgxpool.Pool // one connection of its own for Ready
	stmts    map[string]*statements
	typeList []*fhir.ResourceType
	base     string // Config.BaseURL
	queue    queue
}

var _ fhir.Repository = (*Store)(nil)

// New connects to the database and refuses to serve when the role it
// connects as could see other tenants' rows: a superuser, a role with
// BYPASSRLS, or the owner of any table.
func New(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := poolConfig(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("store.New: %w", err)
	}
	if err := checkRole(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	hc := pc.Copy()
	hc.MaxConns, hc.MinConns = 1, 0
	health, err := pgxpool.NewWithConfig(ctx, hc)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("store.New: %w", err)
	}
	s := &Store{pool: pool, health: health, stmts: map[string]*statements{}, typeList: fhir.Types(), base: cfg.BaseURL,
		queue: queue{timeout: cfg.AcquireTimeout, max: int64(cfg.MaxWaiting)}}
	for _, t := range s.typeList {
		s.stmts[t.Name] = newStatements(t)
	}
	return s, nil
}

// poolConfig is the pool's configuration: the URL's, sized by cfg, with
// the statement timeout as every connection's session setting. Set per
// transaction it would come too late for the preparation of a statement,
// which pgx sends before the batch that sets it, and which waits for table
// locks like the statement itself.
func poolConfig(cfg Config) (*pgxpool.Config, error) {
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
	if cfg.StatementTimeout > 0 {
		pc.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprintf("%dms", cfg.StatementTimeout.Milliseconds())
	}
	return pc, nil
}

// Close closes the pools.
func (s *Store) Close() {
	s.pool.Close()
	s.health.Close()
}

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

// Autovacuum reports whether the database runs autovacuum. Without it,
// nothing analyzes what the server writes, and the planner's estimates of
// tables written through the API collapse to one row: searches that took
// milliseconds can take seconds (issue 11: a sorted search went from 5 ms
// with statistics to 2 s without).
func (s *Store) Autovacuum(ctx context.Context) (bool, error) {
	var on bool
	err := s.health.QueryRow(ctx, `SELECT current_setting('autovacuum')::bool`).Scan(&on)
	return on, err
}

// Ready reports whether the database answers and its schema is the one
// this binary embeds. It asks on a connection of its own, so a pool busy
// with requests does not make the server look down, nor a queue of
// requests delay the answer.
func (s *Store) Ready(ctx context.Context) error {
	var version int64
	var dirty bool
	err := s.health.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&version, &dirty)
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
