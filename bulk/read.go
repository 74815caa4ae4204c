package bulk

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

// source is one NDJSON file to read.
type source struct {
	path string
	size int64
	// want is the resource type the file name announces ("Patient" for
	// Patient.ndjson or Patient.003.ndjson), "" when it names none.
	want string
	// fresh counts the file's chunks in a row that held no stored
	// resource (see pipeline.present).
	fresh atomic.Int32
}

// listFiles expands paths into the files to read, in order: a file as
// given, a directory as its *.ndjson files sorted by name (not recursive).
func listFiles(paths []string) ([]source, int64, error) {
	var out []source
	var total int64
	add := func(path string, info os.FileInfo) {
		out = append(out, source{path: path, size: info.Size(), want: typeOfName(filepath.Base(path))})
		total += info.Size()
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, 0, err
		}
		if !info.IsDir() {
			add(p, info)
			continue
		}
		names, err := filepath.Glob(filepath.Join(p, "*.ndjson"))
		if err != nil {
			return nil, 0, err
		}
		sort.Strings(names)
		for _, n := range names {
			if fi, err := os.Stat(n); err == nil && fi.Mode().IsRegular() {
				add(n, fi)
			}
		}
	}
	return out, total, nil
}

// typeOfName returns the resource type a file name announces: its first
// dot-separated part when that looks like a type name (upper-case letter
// first, letters only) and the file ends in .ndjson.
func typeOfName(name string) string {
	if !strings.HasSuffix(name, ".ndjson") {
		return ""
	}
	first, _, _ := strings.Cut(name, ".")
	if first == "" || first[0] < 'A' || first[0] > 'Z' {
		return ""
	}
	for _, r := range first {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return ""
		}
	}
	return first
}

// chunk is a run of lines of one file, the unit the reader hands to the
// parsers.
type chunk struct {
	src   *source
	lines []rawLine
}

// rawLine is one non-blank line: its number (from 1), its bytes without
// the line ending, and how many bytes of the file it took.
type rawLine struct {
	n      int
	body   []byte
	size   int
	tooBig bool
}

// Chunk bounds: a chunk is handed on when it holds this many lines or
// bytes, so parsers stay busy without holding much memory.
const (
	chunkLines = 64
	chunkBytes = 1 << 20
)

// readFile reads one file into chunks. Blank lines are skipped (counted as
// done bytes through blank). maxLine bounds a line; a longer one is passed
// on marked tooBig, without its bytes.
func readFile(ctx context.Context, src *source, maxLine int, out chan<- chunk, blank func(int)) error {
	f, err := os.Open(src.path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	c := chunk{src: src}
	held := 0
	for n := 1; ; n++ {
		body, size, tooBig, err := readLine(r, maxLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", src.path, n, err)
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 && !tooBig {
			blank(size)
		} else {
			c.lines = append(c.lines, rawLine{n: n, body: trimmed, size: size, tooBig: tooBig})
			held += size
		}
		if len(c.lines) > 0 && (len(c.lines) == chunkLines || held >= chunkBytes || err != nil) {
			select {
			case out <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
			c, held = chunk{src: src}, 0
		}
		if err != nil {
			return nil
		}
	}
}

// readLine reads one line of any length up to max bytes. It returns the
// line without its ending, the bytes it took from the file, and whether
// it was longer than max (then its bytes are dropped). io.EOF comes with
// the last line.
func readLine(r *bufio.Reader, max int) (line []byte, size int, tooBig bool, err error) {
	for {
		part, err := r.ReadSlice('\n')
		size += len(part)
		if !tooBig {
			if len(line)+len(part) > max+2 { // +2: the line ending
				tooBig, line = true, nil
			} else {
				line = append(line, part...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, size, tooBig, err
	}
}
