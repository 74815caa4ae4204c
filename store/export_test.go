package store

// SetExactCountBelow changes the estimate under which _total=estimate
// counts exactly, for the test's duration (restore undoes it).
func SetExactCountBelow(n int64) (restore func()) {
	old := exactCountBelow.Swap(n)
	return func() { exactCountBelow.Store(old) }
}
