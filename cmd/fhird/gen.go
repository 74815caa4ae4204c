package main

import "errors"

// genCmd writes synthetic data; see bench/gen.
func genCmd(args []string) error { return errors.New("gen: not built yet") }
