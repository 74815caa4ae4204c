// Package storetest is the test harness of the store: one fresh database
// per test binary, migrated once, and one fresh tenant per test, so tests
// run in parallel isolated by row-level security. A test that must stop,
// restart or break the database starts a private cluster of its own
// (StartCluster) instead of touching the shared server.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
)

// AppRole is the server role the harness serves through.
const AppRole = "fhir_app"

var (
	once     sync.Once
	shared   *DB
	setupErr error
)

// BaseURL is the base of the test stores: references under it are indexed
// as relative ones.
const BaseURL = "http://fhir.test/fhir"

// DB is a migrated database of its own.
type DB struct {
	Name     string
	OwnerURL string // connects as the owner (superuser on a dev machine)
	AppURL   string // connects as the server role
	Store    *store.Store
}

// adminURL is the maintenance database the harness creates databases from.
func adminURL() string {
	if u := os.Getenv("FHIR_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Main runs the package's tests and drops the database afterwards. Use it
// from TestMain: func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if code == 0 && shared != nil {
		if err := verifyAll(shared); err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			code = 1
		}
	}
	if shared != nil {
		shared.Store.Close()
		if err := drop(shared.Name); err != nil {
			fmt.Fprintln(os.Stderr, "storetest: drop database:", err)
		}
	}
	return code
}

// Shared returns the package's database, creating and migrating it on first
// use. Without a reachable PostgreSQL the test fails when CI is set and is
// skipped loudly otherwise.
func Shared(tb testing.TB) *DB {
	tb.Helper()
	once.Do(func() { shared, setupErr = create() })
	if setupErr != nil {
		unavailable(tb, "PostgreSQL", setupErr)
	}
	return shared
}

// unavailable ends a test that needs a service it cannot have: it fails
// when CI is set and is skipped, loudly, otherwise.
func unavailable(tb testing.TB, service string, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("storetest: %s is required (CI is set): %v", service, err)
	}
	fmt.Fprintf(os.Stderr, "\n*** storetest: SKIPPING database tests, %s is unavailable: %v ***\n\n", service, err)
	tb.Skipf("%s is unavailable: %v", service, err)
}

func create() (*DB, error) { return createWith(nil) }

// createWith creates and migrates a database of its own, with a store
// whose configuration configure may change.
func createWith(configure func(*store.Config)) (*DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "fhirtest_" + randomHex(6)
	owner, err := withDB(adminURL(), name)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, owner, AppRole); err != nil {
		return nil, err
	}
	app, _ := url.Parse(owner)
	app.User = url.User(AppRole)
	cfg := store.Config{URL: app.String(), MaxConns: 16, StatementTimeout: 30 * time.Second, BaseURL: BaseURL}
	if configure != nil {
		configure(&cfg)
	}
	st, err := store.New(ctx, cfg)
	if err != nil {
		_ = drop(name)
		return nil, err
	}
	return &DB{Name: name, OwnerURL: owner, AppURL: app.String(), Store: st}, nil
}

// Fresh returns a database of the test's own, migrated, with a store whose
// configuration configure may change (nil keeps the harness's): for tests
// that lock whole tables or exhaust the pool, which must not stall the
// package's other tests. It is dropped when the test ends.
func Fresh(tb testing.TB, configure func(*store.Config)) *DB {
	tb.Helper()
	Shared(tb) // fails or skips as Shared does without a database
	db, err := createWith(configure)
	if err != nil {
		tb.Fatalf("storetest: fresh database: %v", err)
	}
	tb.Cleanup(func() {
		db.Store.Close()
		if err := drop(db.Name); err != nil {
			tb.Errorf("storetest: drop database %s: %v", db.Name, err)
		}
	})
	return db
}

// verifyAll checks, after a package's tests passed, that the index rows
// of every tenant the tests wrote are exactly those of the current
// versions (store.VerifyIndex): every test that writes is also a test of
// the index invariant, concurrent ones included.
func verifyAll(db *DB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	bad, resources, start := 0, 0, time.Now()
	for _, tenant := range tenants {
		rep, err := db.Store.VerifyIndex(fhir.WithTenant(ctx, tenant))
		if err != nil {
			return fmt.Errorf("verify the index of tenant %s: %w", tenant, err)
		}
		resources += rep.Resources
		for _, p := range rep.Problems {
			if bad < 20 {
				fmt.Fprintf(os.Stderr, "storetest: tenant %s: %s\n", tenant, p)
			}
			bad++
		}
	}
	fmt.Fprintf(os.Stderr, "storetest: index rows verified for %d resources of %d tenants in %v\n",
		resources, len(tenants), time.Since(start).Round(time.Millisecond))
	if bad > 0 {
		return fmt.Errorf("%d index rows differ from the current versions of their resources (store.VerifyIndex)", bad)
	}
	return nil
}

// Tenants lists every tenant that has resources in the database, read as
// the owner (past row-level security).
func (db *DB) Tenants(ctx context.Context) ([]string, error) {
	conn, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var parts []string
	for _, t := range fhir.Types() {
		parts = append(parts, "SELECT tenant_id FROM "+pgx.Identifier{t.Table}.Sanitize())
	}
	rows, err := conn.Query(ctx, "SELECT DISTINCT tenant_id FROM ("+strings.Join(parts, " UNION ")+") t ORDER BY 1")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// drop drops a database. Its time is bounded generously: a database of
// 145 types has ~5,000 files to remove, after a checkpoint, and on a
// loaded machine that took more than 30 s.
func drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

func withDB(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	p.Path = "/" + name
	return p.String(), nil
}

// LockTable takes an ACCESS EXCLUSIVE lock on table from a connection of
// its own, as a migration or an operator's maintenance would, and holds it
// for hold (0: until the test ends), so that the test can see how the
// server waits. Use it on a Fresh database: it stalls every other user of
// the table.
func (db *DB) LockTable(tb testing.TB, table string, hold time.Duration) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		tb.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		tb.Fatal(err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		})
	}
	if hold > 0 {
		timer := time.AfterFunc(hold, release)
		tb.Cleanup(func() { timer.Stop() })
	}
	tb.Cleanup(release)
}

// Tenant returns a context for a tenant no other test uses.
func Tenant(tb testing.TB) (context.Context, string) {
	tb.Helper()
	t := "t-" + randomHex(8)
	return fhir.WithTenant(context.Background(), t), t
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
