//go:build unix

package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestClusterRestart restarts a private cluster in both modes while
// clients query it, and checks that it comes back and that the clients
// saw only connection-level errors. The errors are logged as a catalogue
// (run with -v): the input for mapping them to 503.
func TestClusterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL cluster")
	}
	t.Parallel()
	c := StartCluster(t)
	dbURL := c.CreateDatabase(t, "restart_test")
	mustExec(t, dbURL, "CREATE TABLE hits (worker text NOT NULL, at timestamptz NOT NULL DEFAULT now())")
	cat := newCatalogue()
	for _, mode := range []string{"fast", "immediate"} {
		t.Run(mode, func(t *testing.T) { restartUnderLoad(t, c, dbURL, mode, cat) })
	}
	t.Run("stop-start", func(t *testing.T) { stopStart(t, c, dbURL, cat) })
	cat.log(t)
}

// TestClusterCleanup checks that a cluster leaves neither a process nor a
// directory behind once its test ends.
func TestClusterCleanup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL cluster")
	}
	t.Parallel()
	requireClusterTools(t)
	var dir string
	var pid int
	t.Run("cluster", func(t *testing.T) {
		c := StartCluster(t)
		dir, pid = c.dir, postmasterPID(t, c)
	})
	if dir == "" {
		t.Fatal("the subtest started no cluster")
	}
	waitGone(t, dir, pid, 0)
}

// TestClusterOrphan kills a test binary that runs a cluster, so that no
// cleanup runs: the watchdog must still stop the server and remove its
// directory.
func TestClusterOrphan(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL cluster")
	}
	t.Parallel()
	requireClusterTools(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterOrphanHelper$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "STORETEST_CLUSTER_ORPHAN=1")
	out, err := cmd.CombinedOutput()
	m := regexp.MustCompile(`ORPHAN dir=(\S+) pid=(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the helper process reported no cluster (%v):\n%s", err, out)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the helper process was not killed: %v\n%s", err, out)
	}
	pid, _ := strconv.Atoi(string(m[2]))
	waitGone(t, string(m[1]), pid, 30*time.Second)
}

// TestClusterOrphanHelper is the process TestClusterOrphan kills.
func TestClusterOrphanHelper(t *testing.T) {
	if os.Getenv("STORETEST_CLUSTER_ORPHAN") != "1" {
		t.Skip("the helper process of TestClusterOrphan; it runs only there")
	}
	c := StartCluster(t)
	fmt.Printf("ORPHAN dir=%s pid=%d\n", c.dir, postmasterPID(t, c))
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func postmasterPID(t *testing.T, c *Cluster) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(first)
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	return pid
}

// waitGone fails unless, within wait, dir no longer exists and process
// pid has exited.
func waitGone(t *testing.T, dir string, pid int, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		_, statErr := os.Stat(dir)
		dirGone, procGone := errors.Is(statErr, os.ErrNotExist), exited(pid)
		if dirGone && procGone {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: directory %s (gone: %v), postmaster %d (exited: %v)", dir, dirGone, pid, procGone)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exited reports whether process pid is gone or a zombie: the postmaster
// is a child of init once pg_ctl has exited, and init reaps at its own pace.
func exited(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// The state follows the command name in parentheses.
	_, rest, _ := strings.Cut(string(stat), ") ")
	return strings.HasPrefix(rest, "Z")
}

// restartUnderLoad runs the query workers, restarts the cluster once they
// all succeed, and waits until each has succeeded again.
func restartUnderLoad(t *testing.T, c *Cluster, dbURL, mode string, cat *catalogue) {
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pc.MaxConns = 4
	pc.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { cat.notice(mode, "pool", n) }
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	idle := connect(t, dbURL) // stays idle across the restart

	workers := loadWorkers(pool, dbURL, mode, cat)
	var phase atomic.Value // "before", "during", "after"
	phase.Store("before")
	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(&stop, &phase, mode, cat)
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()

	waitAll(t, workers, "before the restart", func(w *worker) bool { return w.ok("before") > 0 })
	phase.Store("during")
	c.Restart(t, mode)
	phase.Store("after")
	waitAll(t, workers, "after the restart", func(w *worker) bool { return w.ok("after") > 0 })
	stop.Store(true)
	wg.Wait()
	for _, w := range workers {
		t.Logf("%s: %d queries began before the restart, %d during it, %d after it; %d failed",
			w.name, w.ok("before"), w.ok("during"), w.ok("after"), w.errs.Load())
	}
	afterRestart(t, idle, dbURL, mode, cat)
	cat.check(t, mode)
}

// loadWorkers query through a pool, as the store does, and on connections
// of their own, in both protocols, some of them inside a transaction.
func loadWorkers(pool *pgxpool.Pool, dbURL, mode string, cat *catalogue) []*worker {
	return []*worker{
		{name: "pool-select", run: func(ctx context.Context) error {
			var n int
			return pool.QueryRow(ctx, "SELECT count(*) FROM hits").Scan(&n)
		}},
		{name: "pool-tx", run: func(ctx context.Context) error {
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO hits (worker) VALUES ($1)", "pool-tx"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "SELECT pg_sleep(0.02)")
				return err
			})
		}},
		newConnWorker("conn-simple", dbURL, mode, cat, func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, "SELECT pg_sleep(0.05)") // no arguments: simple protocol
			return err
		}),
		newConnWorker("conn-extended", dbURL, mode, cat, func(ctx context.Context, conn *pgx.Conn) error {
			var n int
			return conn.QueryRow(ctx, "SELECT $1::int FROM pg_sleep(0.05)", 7).Scan(&n)
		}),
	}
}

// afterRestart checks that a connection that sat idle through the restart
// learns of it on its next query (as a pooled connection idle for less
// than pgxpool's one-second ping threshold would), and that a new
// connection works.
func afterRestart(t *testing.T, idle *pgx.Conn, dbURL, mode string, cat *catalogue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := idle.Exec(ctx, "SELECT 1")
	cat.add(mode, "idle-conn", "after", err)
	if err == nil {
		t.Errorf("a connection opened before the restart still works after it")
	}
	_ = idle.Close(ctx)
	fresh := connect(t, dbURL)
	defer fresh.Close(ctx)
	var n int
	if err := fresh.QueryRow(ctx, "SELECT count(*) FROM hits").Scan(&n); err != nil {
		t.Fatalf("a new connection after the restart: %v", err)
	}
}

// stopStart keeps the cluster down for a while: connecting fails until it
// is started again.
func stopStart(t *testing.T, c *Cluster, dbURL string, cat *catalogue) {
	c.Stop(t, "fast")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ {
		conn, err := pgx.Connect(ctx, dbURL)
		if err == nil {
			conn.Close(ctx)
			t.Fatal("connected to a stopped cluster")
		}
		cat.add("stopped", "connect", "during", err)
		time.Sleep(50 * time.Millisecond)
	}
	c.Start(t)
	mustExec(t, dbURL, "INSERT INTO hits (worker) VALUES ('stop-start')")
	cat.check(t, "stopped")
}

// worker runs one kind of query in a loop and counts its outcomes by the
// phase they began in.
type worker struct {
	name  string
	run   func(context.Context) error
	close func()
	mu    sync.Mutex
	oks   map[string]int
	errs  atomic.Int64
}

func (w *worker) loop(stop *atomic.Bool, phase *atomic.Value, mode string, cat *catalogue) {
	if w.close != nil {
		defer w.close()
	}
	for !stop.Load() {
		p := phase.Load().(string)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := w.run(ctx)
		cancel()
		if err != nil {
			// A query that began before the restart fails during it.
			w.errs.Add(1)
			cat.add(mode, w.name, phase.Load().(string), err)
			time.Sleep(5 * time.Millisecond)
			continue
		}
		w.mu.Lock()
		if w.oks == nil {
			w.oks = map[string]int{}
		}
		w.oks[p]++
		w.mu.Unlock()
	}
}

func (w *worker) ok(phase string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.oks[phase]
}

// newConnWorker runs query on a connection of its own, without a pool,
// and connects again when the connection is closed.
func newConnWorker(name, dbURL, mode string, cat *catalogue, query func(context.Context, *pgx.Conn) error) *worker {
	var conn *pgx.Conn
	return &worker{name: name, close: func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}, run: func(ctx context.Context) error {
		if conn == nil || conn.IsClosed() {
			cc, err := pgx.ParseConfig(dbURL)
			if err != nil {
				return err
			}
			cc.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { cat.notice(mode, name, n) }
			if conn, err = pgx.ConnectConfig(ctx, cc); err != nil {
				return err
			}
		}
		return query(ctx, conn)
	}}
}

func waitAll(t *testing.T, workers []*worker, what string, done func(*worker) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, w := range workers {
		for !done(w) {
			if time.Now().After(deadline) {
				t.Fatalf("worker %s never succeeded %s", w.name, what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// catalogue collects the distinct errors the clients saw.
type catalogue struct {
	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	kind, sqlstate, chain, example string
	safeToRetry, timeout           bool
	connLevel                      bool
	count                          int
	seen                           map[string]bool // mode/worker/phase
}

func newCatalogue() *catalogue { return &catalogue{entries: map[string]*entry{}} }

func (c *catalogue) add(mode, who, phase string, err error) {
	if err == nil {
		return
	}
	var pgErr *pgconn.PgError
	code := ""
	if errors.As(err, &pgErr) {
		code = pgErr.Code
	}
	c.record(&entry{kind: "error", sqlstate: code, chain: errorChain(err), example: err.Error(),
		safeToRetry: pgconn.SafeToRetry(err), timeout: pgconn.Timeout(err), connLevel: connectionLevel(err)},
		mode+"/"+who+"/"+phase)
}

func (c *catalogue) notice(mode, who string, n *pgconn.Notice) {
	c.record(&entry{kind: "notice " + n.Severity, sqlstate: n.Code, chain: "*pgconn.Notice", example: n.Message, connLevel: true},
		mode+"/"+who)
}

func (c *catalogue) record(e *entry, where string) {
	key := strings.Join([]string{e.kind, e.sqlstate, e.chain, fmt.Sprint(e.safeToRetry), normalise(e.example)}, "|")
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.entries[key]
	if old == nil {
		old, e.seen = e, map[string]bool{}
		c.entries[key] = e
	}
	old.count++
	old.seen[where] = true
}

// check fails the test for every error of mode that is not connection-level.
func (c *catalogue) check(t *testing.T, mode string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		for where := range e.seen {
			if strings.HasPrefix(where, mode+"/") && strings.HasSuffix(where, "/before") {
				t.Errorf("%s before the restart: %s (%s)", where, e.example, e.chain)
			}
			if strings.HasPrefix(where, mode+"/") && !e.connLevel {
				t.Errorf("%s: not a connection-level error: %s (%s)", where, e.example, e.chain)
			}
		}
	}
}

func (c *catalogue) log(t *testing.T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var lines []string
	for _, e := range c.entries {
		var where []string
		for w := range e.seen {
			where = append(where, w)
		}
		sort.Strings(where)
		lines = append(lines, fmt.Sprintf("%s SQLSTATE=%q SafeToRetry=%v Timeout=%v count=%d\n\t\tchain: %s\n\t\tmessage: %s\n\t\tseen: %s",
			e.kind, e.sqlstate, e.safeToRetry, e.timeout, e.count, e.chain, e.example, strings.Join(where, " ")))
	}
	sort.Strings(lines)
	t.Logf("errors and notices the clients saw (%d kinds):\n\t%s", len(lines), strings.Join(lines, "\n\t"))
}

// normalise drops what varies between runs (ports, pids) from a message.
func normalise(s string) string {
	var b strings.Builder
	digits := false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return b.String()
}

// errorChain names the type of every error in err's tree, outermost first.
func errorChain(err error) string {
	var parts []string
	for err != nil {
		name := fmt.Sprintf("%T", err)
		switch err {
		case io.EOF:
			name = "io.EOF"
		case io.ErrUnexpectedEOF:
			name = "io.ErrUnexpectedEOF"
		case pgconn.ErrConnClosed:
			name = "pgconn.ErrConnClosed"
		case net.ErrClosed:
			name = "net.ErrClosed"
		}
		if errno, ok := err.(syscall.Errno); ok {
			name = fmt.Sprintf("syscall.Errno(%d %q)", int(errno), errno.Error())
		}
		if pgErr, ok := err.(*pgconn.PgError); ok {
			name += "(" + pgErr.Severity + " " + pgErr.Code + ")"
		}
		if multi, ok := err.(interface{ Unwrap() []error }); ok {
			var sub []string
			for _, e := range multi.Unwrap() {
				sub = append(sub, errorChain(e))
			}
			return strings.Join(append(parts, name+"["+strings.Join(sub, " | ")+"]"), " > ")
		}
		parts = append(parts, name)
		err = errors.Unwrap(err)
	}
	return strings.Join(parts, " > ")
}

// connectionLevel reports whether err says only that the connection to the
// server was lost or could not be made, which is what a restart may cause.
func connectionLevel(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection_exception
	}
	if pgconn.Timeout(err) || errors.Is(err, context.Canceled) {
		return false // the test never cancels: a timeout is a hang
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED)
}

func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func mustExec(t *testing.T, dbURL, sql string) {
	t.Helper()
	conn := connect(t, dbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
