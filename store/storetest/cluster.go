package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClusterSuperuser is the superuser of a private cluster; it connects
// without a password (trust authentication, loopback only).
const ClusterSuperuser = "postgres"

// clusterTimeout bounds each pg_ctl action and each wait for the cluster
// to accept connections.
const clusterTimeout = 60 * time.Second

// Cluster is a private PostgreSQL 15 cluster of one test: its own data
// directory in a temporary directory and its own port on 127.0.0.1, so the
// test may stop, restart or crash it without disturbing the shared server
// at 127.0.0.1:5432 that other tests and the developer use.
//
// URL may be called from any goroutine; Stop, Start, Restart and
// CreateDatabase belong to the test's goroutine (they call tb.Fatal) and
// must not run concurrently with each other.
type Cluster struct {
	Port int // TCP port on 127.0.0.1, fixed for the cluster's life

	dir     string   // temporary directory: data/, sock/, postgres.log
	bin     string   // directory of initdb, pg_ctl and postgres
	as      *account // the server's account when the tests run as root
	opts    string   // postgres options, given on every start
	watch   *exec.Cmd
	watchIn io.WriteCloser // closing it (or dying) tells the watchdog to clean up
}

// StartCluster initialises a fresh cluster in a temporary directory,
// starts it on a free port of 127.0.0.1 and waits until it accepts
// connections. Cleanup stops it immediately and removes the directory; a
// watchdog process does the same if the test binary dies first (a -timeout
// panic, SIGKILL), so no server outlives the tests. Without the PostgreSQL
// 15 server binaries, or as root without an unprivileged account to run
// them, the test fails when CI is set and is skipped loudly otherwise.
//
// The binaries are found in $FHIR_TEST_PG_BINDIR (any version), else in
// /usr/lib/postgresql/15/bin, `pg_config --bindir` or the directory of
// postgres on PATH. PostgreSQL refuses to run as root, so as root the
// server runs as $FHIR_TEST_PG_USER (default postgres), like the private
// server of scripts/devdb.sh.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	begin := time.Now()
	bin, as := requireClusterTools(tb)
	dir, err := os.MkdirTemp("", "fhird-pgcluster-")
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	c := &Cluster{dir: dir, bin: bin, as: as}
	if err := c.prepare(); err != nil {
		_ = os.RemoveAll(dir)
		tb.Fatalf("storetest: prepare %s: %v", dir, err)
	}
	tb.Cleanup(func() { c.cleanup(tb) })
	if err := c.initdb(); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	c.firstStart(tb)
	tb.Logf("storetest: private PostgreSQL cluster on 127.0.0.1:%d ready in %v (%s)",
		c.Port, time.Since(begin).Round(time.Millisecond), dir)
	return c
}

// requireClusterTools returns the binary directory and the server account
// (nil unless root), or fails or skips the test when either is missing.
func requireClusterTools(tb testing.TB) (string, *account) {
	tb.Helper()
	if err := clusterSupported(); err != nil {
		unavailable(tb, "a private PostgreSQL cluster", err)
	}
	bin, err := clusterBinaries()
	if err != nil {
		unavailable(tb, "a private PostgreSQL cluster", err)
	}
	as, err := serverAccount()
	if err != nil {
		unavailable(tb, "a private PostgreSQL cluster", err)
	}
	return bin, as
}

// URL is a postgres:// URL for database db on the cluster, as the
// superuser, without TLS.
func (c *Cluster) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(ClusterSuperuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// CreateDatabase creates database name on the cluster and returns its URL.
func (c *Cluster) CreateDatabase(tb testing.TB, name string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		tb.Fatalf("storetest: create database %s: %v", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("storetest: create database %s: %v", name, err)
	}
	return c.URL(name)
}

// Stop stops the cluster with `pg_ctl stop -m mode`, mode being "fast"
// (connections are terminated, a shutdown checkpoint is written) or
// "immediate" (every process quits at once, as in a crash; the next start
// recovers from the WAL). It returns once the server has exited.
func (c *Cluster) Stop(tb testing.TB, mode string) {
	tb.Helper()
	checkMode(tb, mode)
	begin := time.Now()
	if err := c.pgctl("stop", "-m", mode); err != nil {
		tb.Fatalf("storetest: stop the cluster on port %d: %v%s", c.Port, err, c.logTail())
	}
	tb.Logf("storetest: cluster on 127.0.0.1:%d stopped (-m %s) in %v", c.Port, mode, time.Since(begin).Round(time.Millisecond))
}

// Start starts a stopped cluster on its port and returns once it accepts
// connections.
func (c *Cluster) Start(tb testing.TB) {
	tb.Helper()
	begin := time.Now()
	if err := c.pgctl("start", "-l", c.logFile(), "-o", c.opts); err != nil {
		tb.Fatalf("storetest: start the cluster on port %d: %v%s", c.Port, err, c.logTail())
	}
	c.waitReady(tb)
	tb.Logf("storetest: cluster on 127.0.0.1:%d started in %v", c.Port, time.Since(begin).Round(time.Millisecond))
}

// Restart runs `pg_ctl restart -m mode` (see Stop for the modes) and
// returns once the cluster accepts connections again. Clients may be
// connected and querying: their connections are terminated.
func (c *Cluster) Restart(tb testing.TB, mode string) {
	tb.Helper()
	checkMode(tb, mode)
	begin := time.Now()
	if err := c.pgctl("restart", "-m", mode, "-l", c.logFile(), "-o", c.opts); err != nil {
		tb.Fatalf("storetest: restart the cluster on port %d: %v%s", c.Port, err, c.logTail())
	}
	c.waitReady(tb)
	tb.Logf("storetest: cluster on 127.0.0.1:%d restarted (-m %s) in %v", c.Port, mode, time.Since(begin).Round(time.Millisecond))
}

// checkMode accepts the shutdown modes that do not wait for clients:
// "smart" would hang until every pooled connection went away.
func checkMode(tb testing.TB, mode string) {
	tb.Helper()
	if mode != "fast" && mode != "immediate" {
		tb.Fatalf("storetest: shutdown mode %q: want fast or immediate", mode)
	}
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }
func (c *Cluster) sockDir() string { return filepath.Join(c.dir, "sock") }
func (c *Cluster) logFile() string { return filepath.Join(c.dir, "postgres.log") }

// prepare makes the temporary directory the server account's and starts
// the watchdog.
func (c *Cluster) prepare() error {
	if err := os.Mkdir(c.sockDir(), 0o700); err != nil {
		return err
	}
	if c.as != nil {
		for _, d := range []string{c.dir, c.sockDir()} {
			if err := os.Chown(d, c.as.uid, c.as.gid); err != nil {
				return err
			}
		}
	}
	return c.startWatchdog()
}

// watchdogScript waits for its standard input to close, which happens
// when the test binary closes it in cleanup or dies, then stops the
// cluster if it still runs and removes the directory. It ignores the
// signals a terminal sends to the whole process group (^C), and runs in a
// group of its own, so it outlives the test binary it cleans up after.
const watchdogScript = `trap '' INT HUP QUIT
cat >/dev/null
if "$1" status -D "$2" >/dev/null 2>&1; then
	"$1" stop -D "$2" -m immediate -w -t 60 >/dev/null 2>&1
fi
rm -rf "$3"
`

func (c *Cluster) startWatchdog() error {
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "fhird-pgcluster-watchdog",
		filepath.Join(c.bin, "pg_ctl"), c.dataDir(), c.dir)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr(c.as, true)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the watchdog: %w", err)
	}
	c.watch, c.watchIn = cmd, in
	return nil
}

// cleanup stops the server at once, lets the watchdog remove the
// directory, and checks that it is gone.
func (c *Cluster) cleanup(tb testing.TB) {
	tb.Helper()
	if c.Port != 0 && c.pgctlQuiet("status") == nil {
		if err := c.pgctl("stop", "-m", "immediate"); err != nil {
			tb.Errorf("storetest: stop the cluster on port %d: %v", c.Port, err)
		}
	}
	_ = c.watchIn.Close()
	done := make(chan error, 1)
	go func() { done <- c.watch.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Errorf("storetest: cluster watchdog: %v", err)
		}
	case <-time.After(clusterTimeout):
		tb.Errorf("storetest: cluster watchdog (pid %d) still runs after %v; killing it", c.watch.Process.Pid, clusterTimeout)
		_ = c.watch.Process.Kill()
	}
	if err := os.RemoveAll(c.dir); err != nil {
		tb.Errorf("storetest: remove %s: %v", c.dir, err)
	}
}

func (c *Cluster) initdb() error {
	out, err := c.command("initdb", "-D", c.dataDir(), "-U", ClusterSuperuser, "--auth=trust",
		"--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions").CombinedOutput()
	if err != nil {
		hint := ""
		if c.as != nil {
			hint = fmt.Sprintf(" (as root the server runs as %s, which must be able to reach %s; set TMPDIR otherwise)", c.as.name, c.dir)
		}
		return fmt.Errorf("initdb%s: %w\n%s", hint, err, out)
	}
	return nil
}

// firstStart picks a free port and starts the cluster on it, trying
// another port when a process took the chosen one in between.
func (c *Cluster) firstStart(tb testing.TB) {
	tb.Helper()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if c.Port, err = freePort(); err != nil {
			tb.Fatalf("storetest: find a free port: %v", err)
		}
		if c.opts, err = c.options(); err != nil {
			tb.Fatalf("storetest: %v", err)
		}
		err = c.pgctl("start", "-l", c.logFile(), "-o", c.opts)
		if err == nil || !strings.Contains(c.logTail(), "could not bind") {
			break
		}
	}
	if err != nil {
		tb.Fatalf("storetest: start the cluster on port %d: %v%s", c.Port, err, c.logTail())
	}
	c.waitReady(tb)
}

// options are the server's settings, given on the command line so the
// configuration files stay as initdb wrote them. Durability is off: a
// test cluster never survives an operating-system crash, and an immediate
// shutdown still recovers (the data is in the page cache).
func (c *Cluster) options() (string, error) {
	sock := c.sockDir()
	if strings.ContainsAny(sock, `'\`) {
		return "", fmt.Errorf("the temporary directory %q holds a quote or a backslash; set TMPDIR", c.dir)
	}
	// A Unix socket path holds at most 107 bytes; the tests use TCP, so
	// a deep TMPDIR only costs the socket.
	sockOpt := "-k '" + sock + "'"
	if len(sock)+len("/.s.PGSQL.65535") > 107 {
		sockOpt = "-c unix_socket_directories=''"
	}
	return strings.Join([]string{
		"-p", strconv.Itoa(c.Port), "-c listen_addresses=127.0.0.1", sockOpt,
		"-c shared_buffers=16MB", "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
	}, " "), nil
}

// pgctl runs pg_ctl action on the cluster and waits for it to finish.
func (c *Cluster) pgctl(action string, args ...string) error {
	args = append([]string{action, "-D", c.dataDir(), "-w", "-t", strconv.Itoa(int(clusterTimeout.Seconds()))}, args...)
	out, err := c.command("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// pgctlQuiet runs pg_ctl action without waiting options, for status.
func (c *Cluster) pgctlQuiet(action string) error {
	return c.command("pg_ctl", action, "-D", c.dataDir()).Run()
}

// command prepares a server binary to run as the server's account, from
// the cluster's directory (which that account can always enter), with no
// PG* variables of the test's environment.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr(c.as, false)
	// pg_ctl start leaves the server running with its output in the log;
	// should anything still hold the output pipe, do not wait for it.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// waitReady returns once a new connection to the cluster can run a query.
// pg_ctl -w already waited for the server's ready state; this proves it
// from the client's side.
func (c *Cluster) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(clusterTimeout)
	for {
		err := c.ping()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("storetest: the cluster on port %d does not accept connections: %v%s", c.Port, err, c.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *Cluster) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "SELECT 1")
	return err
}

// logTail is the end of the server log, for failure messages.
func (c *Cluster) logTail() string {
	b, err := os.ReadFile(c.logFile())
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "\nserver log (" + c.logFile() + "):\n\t" + strings.Join(lines, "\n\t")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverEnv is the test's environment without PG* variables, which would
// point pg_ctl or postgres elsewhere.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

// account is the unprivileged account the server runs as under root.
type account struct {
	name     string
	uid, gid int
}

// serverAccount is nil unless the tests run as root.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	name := os.Getenv("FHIR_TEST_PG_USER")
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root, and the account to run it as is missing: %w (set FHIR_TEST_PG_USER)", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("account %s: %w", name, err)
	}
	if uid == 0 {
		return nil, fmt.Errorf("account %s is root; set FHIR_TEST_PG_USER to an unprivileged account", name)
	}
	return &account{name: name, uid: uid, gid: gid}, nil
}

var clusterBinaries = sync.OnceValues(findClusterBinaries)

// findClusterBinaries finds the PostgreSQL 15 server binaries, the
// version the server runs on in production.
func findClusterBinaries() (string, error) {
	if d := os.Getenv("FHIR_TEST_PG_BINDIR"); d != "" {
		return d, hasServerBinaries(d)
	}
	cands := []string{"/usr/lib/postgresql/15/bin"}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		cands = append(cands, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		cands = append(cands, filepath.Dir(p))
	}
	var tried []string
	for _, d := range cands {
		if err := hasServerBinaries(d); err != nil {
			tried = append(tried, err.Error())
			continue
		}
		switch v, err := majorVersion(d); {
		case err != nil:
			tried = append(tried, fmt.Sprintf("%s: %v", d, err))
		case v != "15":
			tried = append(tried, fmt.Sprintf("%s holds PostgreSQL %s", d, v))
		default:
			return d, nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL 15 server binaries (%s); install postgresql-15 or set FHIR_TEST_PG_BINDIR",
		strings.Join(tried, "; "))
}

func hasServerBinaries(dir string) error {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode()&0o111 == 0 {
			return fmt.Errorf("no %s in %s", name, dir)
		}
	}
	return nil
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

func majorVersion(dir string) (string, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return "", err
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("unrecognised version %q", strings.TrimSpace(string(out)))
	}
	return string(m[1]), nil
}
