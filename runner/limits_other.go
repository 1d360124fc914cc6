//go:build !unix

package runner

func fdLimit() uint64 { return 0 }
