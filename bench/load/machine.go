package load

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// DescribeMachine returns the driver's machine: CPU model and memory from
// /proc on Linux (left empty elsewhere), cores and Go version from the
// runtime.
func DescribeMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version()}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		n, _ := strconv.Atoi(strings.TrimSuffix(kb, " kB"))
		m.MemoryMB = n / 1024
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file whose key is key, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
