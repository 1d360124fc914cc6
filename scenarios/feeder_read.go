package scenarios

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxJSONLine bounds one line of a JSONL feeder file.
const maxJSONLine = 1 << 20

// rowError is a problem at a place in a feeder file.
type rowError struct {
	Line, Column int // Column 0: unknown
	Msg          string
}

func (e *rowError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%d: %s", e.Line, e.Msg)
}

// readRows reads a feeder file in format "csv" or "jsonl".
func readRows(format string, r io.Reader) ([]string, []map[string]string, error) {
	if format == "csv" {
		return readCSV(r)
	}
	return readJSONL(r)
}

// readCSV reads a CSV file whose first row names the columns. Every row
// must have one field per column.
func readCSV(r io.Reader) ([]string, []map[string]string, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, &rowError{Line: 1, Msg: "empty file (want a header row of column names, then rows)"}
	}
	if err != nil {
		return nil, nil, csvError(err, 0)
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
			return nil, nil, &rowError{Line: 1, Msg: fmt.Sprintf("column %d has no name", i+1)}
		case slices.Contains(cols[:i], h):
			return nil, nil, &rowError{Line: 1, Msg: fmt.Sprintf("duplicate column %q", h)}
		}
		cols[i] = h
	}
	var rows []map[string]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvError(err, len(cols))
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[c] = rec[i]
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, &rowError{Line: 2, Msg: "no rows after the header"}
	}
	return cols, rows, nil
}

// csvError turns an encoding/csv error into a rowError.
func csvError(err error, ncols int) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &rowError{Line: 1, Msg: err.Error()}
	}
	msg := pe.Err.Error()
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		msg = fmt.Sprintf("wrong number of fields (the header has %d)", ncols)
	}
	return &rowError{Line: max(pe.Line, 1), Column: pe.Column, Msg: msg}
}

// readJSONL reads one JSON object per line (blank lines are skipped). Values
// must be strings, numbers (kept as written), booleans or null (""); the
// columns are every key seen, sorted, and a row without one has "" there.
func readJSONL(r io.Reader) ([]string, []map[string]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxJSONLine)
	var rows []map[string]string
	seen := make(map[string]bool)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		row, err := jsonRow(b)
		if err != nil {
			err.Line = line
			return nil, nil, err
		}
		for k := range row {
			seen[k] = true
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		msg := err.Error()
		if errors.Is(err, bufio.ErrTooLong) {
			msg = fmt.Sprintf("line longer than %d bytes", maxJSONLine)
		}
		return nil, nil, &rowError{Line: line + 1, Msg: msg}
	}
	if len(rows) == 0 {
		return nil, nil, &rowError{Line: 1, Msg: "no rows (want one JSON object per line)"}
	}
	cols := slices.Sorted(maps.Keys(seen))
	for _, row := range rows {
		for _, c := range cols {
			if _, ok := row[c]; !ok {
				row[c] = ""
			}
		}
	}
	return cols, rows, nil
}

// jsonRow decodes one JSONL line; the caller sets the error's Line.
func jsonRow(b []byte) (map[string]string, *rowError) {
	if b[0] != '{' {
		return nil, &rowError{Column: 1, Msg: "want a JSON object per line, e.g. {\"email\": \"ann@example.com\"}"}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &rowError{Column: int(se.Offset), Msg: "bad JSON: " + se.Error()}
		}
		return nil, &rowError{Msg: "bad JSON: " + err.Error()}
	}
	row := make(map[string]string, len(raw))
	for k, v := range raw {
		if k == "" {
			return nil, &rowError{Msg: "empty key"}
		}
		switch v[0] {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, &rowError{Msg: fmt.Sprintf("key %q: %v", k, err)}
			}
			row[k] = s
		case 'n':
			row[k] = ""
		case '{', '[':
			return nil, &rowError{Msg: fmt.Sprintf("key %q: nested objects and lists are not supported (want a string, number, boolean or null)", k)}
		default: // a number, true or false: as written
			row[k] = string(v)
		}
	}
	return row, nil
}

// feeders decodes the feeders section and reads each feeder's file.
func (d *decoder) feeders(ff field) []*Feeder {
	var out []*Feeder
	owner := make(map[string]string) // column → the feeder that has it
	for i, n := range d.sequence(ff) {
		p := indexPath(ff.path, i)
		fd := d.feeder(n, p)
		if fd == nil {
			continue
		}
		for _, c := range fd.columns {
			if other, dup := owner[c]; dup {
				d.errorf(n, p, "column %q is also in %s (the feeders' columns share .Vars)", c, other)
				continue
			}
			owner[c] = p
		}
		out = append(out, fd)
	}
	return out
}

// feeder decodes one feeder and reads its rows; nil after a problem.
func (d *decoder) feeder(n *yaml.Node, p string) *Feeder {
	f := d.mapping(n, p, "file", "format", "order", "on_exhausted")
	if f == nil {
		return nil
	}
	fd := &Feeder{Order: Sequential, OnExhausted: ExhaustedStop}
	if o := d.oneOf(f["order"], "order", string(Sequential), string(Random), string(Unique)); o != "" {
		fd.Order = FeederOrder(o)
	}
	if ex := f["on_exhausted"]; ex.key != nil {
		if fd.Order != Unique {
			d.errorf(ex.key, ex.path, "on_exhausted is only for order: unique")
		} else if v := d.oneOf(ex, "on_exhausted", string(ExhaustedStop), string(ExhaustedWrap)); v != "" {
			fd.OnExhausted = Exhausted(v)
		}
	}
	file := f["file"]
	if !d.required(file, n, " (a CSV or JSONL file, relative to the scenario)") {
		return nil
	}
	if fd.File = d.expanded(file, ""); fd.File == "" {
		if file.val.Kind == yaml.ScalarNode && file.val.Value == "" {
			d.fieldErrorf(file, "empty file name")
		}
		return nil
	}
	if format := f["format"]; format.ok() {
		if fd.Format = d.oneOf(format, "format", "csv", "jsonl"); fd.Format == "" {
			return nil
		}
	} else if fd.Format = feederFormat(fd.File); fd.Format == "" {
		d.fieldErrorf(file, "cannot tell the format of %q from its name (want .csv, .jsonl or .ndjson, or add format: csv or format: jsonl)", fd.File)
		return nil
	}
	name := d.resolve(fd.File)
	data, err := d.readFile(name)
	if err != nil {
		d.fieldErrorf(file, "cannot read feeder: %v", err)
		return nil
	}
	fd.columns, fd.rows, err = readRows(fd.Format, bytes.NewReader(data))
	if err != nil {
		d.fieldErrorf(file, "%s:%v", name, err)
		return nil
	}
	return fd
}

// feederFormat tells a feeder's format from its file name.
func feederFormat(file string) string {
	switch strings.ToLower(path.Ext(file)) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	}
	return ""
}
