package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/loadgen/loadgen/internal/bounded"
)

// maxSecretFile caps --secret-file: an HMAC secret is a short string.
const maxSecretFile = 64 << 10

// readSecretFile returns the HMAC secret in the file at path, without a
// trailing line end. Its errors never hold the file's content.
func readSecretFile(path string) (string, error) {
	b, err := bounded.ReadFile(nil, path, "a secret file", maxSecretFile)
	if err != nil {
		return "", fmt.Errorf("--secret-file: %w", err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", errors.New("--secret-file: " + path + " is empty")
	}
	return s, nil
}
