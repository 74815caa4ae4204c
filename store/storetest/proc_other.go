//go:build !unix

package storetest

import (
	"errors"
	"syscall"
)

func clusterSupported() error {
	return errors.New("private clusters need a Unix system (pg_ctl, /bin/sh)")
}

func sysProcAttr(*account, bool) *syscall.SysProcAttr { return nil }
