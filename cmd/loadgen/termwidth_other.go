//go:build !unix

package main

import "io"

// terminalWidth returns 0 (unknown) where terminals cannot be asked.
func terminalWidth(io.Writer) int { return 0 }
