package collect

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
)

// Received describes a shard's results file that the collector accepted.
type Received struct {
	Shard     int         `json:"shard"`
	Path      string      `json:"path"`
	SHA256    string      `json:"sha256"` // hex
	Bytes     int64       `json:"bytes"`
	Records   int64       `json:"records"`            // records after the header
	Run       results.Run `json:"-"`                  // the file's header
	Closed    bool        `json:"closed"`             // the file has its closing record
	Warnings  []string    `json:"warnings,omitempty"` // from reading it (a cut record, no closing record)
	StartedAt time.Time   `json:"started_at"`         // when the shard began, by its own report
	Outcome   string      `json:"outcome"`            // OutcomeCompleted or OutcomeInterrupted
	At        time.Time   `json:"received_at"`
}

// ContentDigest returns the Content-Digest header value (RFC 9530) of a
// SHA-256 sum.
func ContentDigest(sum []byte) string {
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum) + ":"
}

// parseDigest returns the SHA-256 of a Content-Digest header value; other
// algorithms in the list are ignored.
func parseDigest(v string) ([]byte, error) {
	for _, item := range strings.Split(v, ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || !strings.EqualFold(alg, "sha-256") {
			continue
		}
		val = strings.TrimSpace(val)
		if len(val) < 2 || val[0] != ':' || val[len(val)-1] != ':' {
			return nil, fmt.Errorf("%s: sha-256 is not a :base64: byte sequence", HeaderDigest)
		}
		sum, err := base64.StdEncoding.DecodeString(val[1 : len(val)-1])
		if err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("%s: sha-256 is not 32 base64 bytes", HeaderDigest)
		}
		return sum, nil
	}
	return nil, fmt.Errorf("%s: want a sha-256=:BASE64: member", HeaderDigest)
}

// errChecksum means an upload's body does not match its digest.
var errChecksum = errors.New("the body does not match its Content-Digest")

// store copies body into a new temporary file in dir while hashing it, and
// checks the hash against want. On success it returns the file's path, the
// hex SHA-256 and its size; the caller renames or removes the file.
func store(dir string, body io.Reader, want []byte) (path, sum string, n int64, err error) {
	f, err := os.CreateTemp(dir, ".upload-*.jsonl")
	if err != nil {
		return "", "", 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err = io.Copy(io.MultiWriter(f, h), body)
	if err != nil {
		return "", "", n, fmt.Errorf("reading the upload: %w", err)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return "", "", n, fmt.Errorf("%w: received %d bytes with sha-256 %x, header says %x", errChecksum, n, got, want)
	}
	if err := f.Sync(); err != nil {
		return "", "", n, err
	}
	if err := f.Close(); err != nil {
		return "", "", n, err
	}
	return f.Name(), fmt.Sprintf("%x", want), n, nil
}

// verify reads the results file at path to its end and checks its header
// against the run: run id, shard, shard count and scenario hash.
func verify(path string, runID string, shard, shards int, hash string) (*Received, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := resultfile.NewReader(f, fmt.Sprintf("shard %d's results", shard))
	if err != nil {
		return nil, err
	}
	h := r.Run()
	var wrong []string
	check := func(field string, got, want any) {
		if got != want {
			wrong = append(wrong, fmt.Sprintf("%s %v (want %v)", field, got, want))
		}
	}
	check("run_id", h.ID, runID)
	check("shard", h.Shard, shard)
	check("shards", h.Shards, shards)
	if h.ScenarioHash != hash {
		wrong = append(wrong, fmt.Sprintf("scenario_hash %s (want %s)", short(h.ScenarioHash), short(hash)))
	}
	if len(wrong) > 0 {
		return nil, fmt.Errorf("its header does not belong to this run: %s", strings.Join(wrong, ", "))
	}
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
	}
	if r.ClosedAt().IsZero() {
		// A shard closes its file before it sends it: one without its
		// closing record lost its end (a full disk, a killed writer), and
		// merging it would judge the run on part of a shard.
		return nil, fmt.Errorf("it ends without its closing record, after %d records: the shard's file is incomplete (%s)",
			r.Records(), strings.Join(r.Warnings(), "; "))
	}
	return &Received{Shard: shard, Records: r.Records(), Run: h, Closed: !r.ClosedAt().IsZero(), Warnings: r.Warnings()}, nil
}

// FileName is the name under which the collector keeps a shard's file.
func FileName(runID string, shard, shards int) string {
	return fmt.Sprintf("%s.shard-%d-of-%d.jsonl", safeName(runID), shard, shards)
}

// safeName keeps a run id usable as a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, filepath.Base(s))
}
