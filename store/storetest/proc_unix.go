//go:build unix

package storetest

import "syscall"

func clusterSupported() error { return nil }

// sysProcAttr runs a process as the server's account (as, when the tests
// run as root), in a process group of its own if ownGroup, so that the
// signals a terminal sends to the test's group do not reach it.
func sysProcAttr(as *account, ownGroup bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: ownGroup}
	if as != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(as.uid), Gid: uint32(as.gid), Groups: []uint32{}}
	}
	return attr
}
