package scenarios

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantCols []string
		wantRows []map[string]string
		wantErr  string
	}{
		{name: "plain", in: "email,plan\na@x,pro\nb@x,free\n", wantCols: []string{"email", "plan"},
			wantRows: []map[string]string{{"email": "a@x", "plan": "pro"}, {"email": "b@x", "plan": "free"}}},
		{name: "BOM, quotes and spaces in names", in: "\uFEFFemail, note \n\"a@x\",\"hello, \"\"you\"\"\"\n",
			wantCols: []string{"email", "note"}, wantRows: []map[string]string{{"email": "a@x", "note": `hello, "you"`}}},
		{name: "no final newline, blank lines", in: "a\n\n1\n\n2", wantCols: []string{"a"},
			wantRows: []map[string]string{{"a": "1"}, {"a": "2"}}},
		{name: "empty", in: "", wantErr: "1: empty file"},
		{name: "header only", in: "a,b\n", wantErr: "2: no rows after the header"},
		{name: "empty column name", in: "a,,c\n1,2,3\n", wantErr: "1: column 2 has no name"},
		{name: "duplicate column", in: "a,b,a\n1,2,3\n", wantErr: `1: duplicate column "a"`},
		{name: "short row", in: "a,b\n1,2\n3\n", wantErr: "3:1: wrong number of fields (the header has 2)"},
		{name: "bad quote", in: "a,b\n1,x\"y\n", wantErr: `2:4: bare " in non-quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, rows, err := readCSV(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr && !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("readCSV(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(cols, tt.wantCols) || !reflect.DeepEqual(rows, tt.wantRows) {
				t.Errorf("readCSV(%q) = %q, %v, %v; want %q, %v", tt.in, cols, rows, err, tt.wantCols, tt.wantRows)
			}
		})
	}
}

func TestReadJSONL(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantCols []string
		wantRows []map[string]string
		wantErr  string
	}{
		{name: "values", in: `{"s": "a\"b", "n": 12.50, "t": true, "z": null}` + "\n",
			wantCols: []string{"n", "s", "t", "z"}, wantRows: []map[string]string{{"s": `a"b`, "n": "12.50", "t": "true", "z": ""}}},
		{name: "sparse rows get empty columns", in: "{\"a\": \"1\"}\n\n  {\"b\": \"2\"}  \n",
			wantCols: []string{"a", "b"}, wantRows: []map[string]string{{"a": "1", "b": ""}, {"a": "", "b": "2"}}},
		{name: "empty", in: "\n\n", wantErr: "1: no rows"},
		{name: "not an object", in: "{\"a\": 1}\n[1]\n", wantErr: "2:1: want a JSON object per line"},
		{name: "bad JSON", in: "{\"a\": 1,}\n", wantErr: "1:9: bad JSON: invalid character '}'"},
		{name: "nested", in: "{\"a\": {\"b\": 1}}\n", wantErr: `1: key "a": nested objects and lists are not supported`},
		{name: "empty key", in: "{\"\": 1}\n", wantErr: "1: empty key"},
		{name: "trailing data", in: "{\"a\": 1} {\"b\": 2}\n", wantErr: "1:10: bad JSON: invalid character '{' after top-level value"},
		{name: "line too long", in: "{\"a\": \"" + strings.Repeat("x", maxJSONLine) + "\"}\n", wantErr: "1: line longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, rows, err := readJSONL(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("readJSONL error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(cols, tt.wantCols) || !reflect.DeepEqual(rows, tt.wantRows) {
				t.Errorf("readJSONL(%q) = %q, %v, %v; want %q, %v", tt.in, cols, rows, err, tt.wantCols, tt.wantRows)
			}
		})
	}
}

// checkRows asserts the reader's invariants: every row has every column.
func checkRows(t *testing.T, cols []string, rows []map[string]string, err error) {
	t.Helper()
	if err != nil {
		var re *rowError
		if !errors.As(err, &re) || re.Line < 1 {
			t.Fatalf("error %v (%T) has no line", err, err)
		}
		return
	}
	if len(cols) == 0 || len(rows) == 0 {
		t.Fatalf("no error but %d columns, %d rows", len(cols), len(rows))
	}
	for i, r := range rows {
		if len(r) != len(cols) || !hasKeys(r, cols) {
			t.Fatalf("row %d = %v, want exactly the columns %q", i, r, cols)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\uFEFFa\n\"x\ny\"\n", "a,a\n", "a\n\"", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cols, rows, err := readCSV(strings.NewReader(s))
		checkRows(t, cols, rows, err)
	})
}

func FuzzReadJSONL(f *testing.F) {
	for _, s := range []string{"{\"a\":1}\n{\"b\":\"x\"}\n", "{\"a\":[1]}", "[]", "{}\n{}", "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cols, rows, err := readJSONL(strings.NewReader(s))
		if err == nil && len(cols) == 0 { // lines of {} have rows but no columns
			return
		}
		checkRows(t, cols, rows, err)
	})
}

func rowsN(n int) []map[string]string {
	rows := make([]map[string]string, n)
	for i := range rows {
		rows[i] = map[string]string{"id": fmt.Sprint(i)}
	}
	return rows
}

func TestFeederOrders(t *testing.T) {
	draw := func(f *Feeder, n int) (ids []string, stopped int) {
		r := rand.New(rand.NewPCG(5, 6))
		for range n {
			row, ok := f.Next(r)
			if !ok {
				stopped++
				continue
			}
			ids = append(ids, row["id"])
		}
		return ids, stopped
	}
	tests := []struct {
		order       FeederOrder
		exhausted   Exhausted
		wantIDs     string
		wantStopped int
	}{
		{Sequential, ExhaustedStop, "0 1 2 0 1 2 0", 0},
		{Unique, ExhaustedStop, "0 1 2", 4},
		{Unique, ExhaustedWrap, "0 1 2 0 1 2 0", 0},
	}
	for _, tt := range tests {
		f, err := NewFeeder(tt.order, tt.exhausted, rowsN(3))
		if err != nil {
			t.Fatal(err)
		}
		ids, stopped := draw(f, 7)
		if got := strings.Join(ids, " "); got != tt.wantIDs || stopped != tt.wantStopped {
			t.Errorf("%s/%s: 7 draws gave %q and %d stops, want %q and %d", tt.order, tt.exhausted, got, stopped, tt.wantIDs, tt.wantStopped)
		}
	}
	f, _ := NewFeeder(Random, ExhaustedStop, rowsN(4))
	ids, _ := draw(f, 400)
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	if len(ids) != 400 || len(seen) != 4 {
		t.Errorf("random: 400 draws gave %d rows over %v, want 400 over all 4 rows", len(ids), seen)
	}
}

func TestNewFeederErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order FeederOrder
		ex    Exhausted
		rows  []map[string]string
	}{
		{"bad order", "shuffled", ExhaustedStop, rowsN(1)},
		{"bad on_exhausted", Unique, "loop", rowsN(1)},
		{"no rows", Sequential, ExhaustedStop, nil},
		{"uneven rows", Sequential, ExhaustedStop, []map[string]string{{"a": "1"}, {"b": "2"}}},
	} {
		if _, err := NewFeeder(tc.order, tc.ex, tc.rows); err == nil || !strings.HasPrefix(err.Error(), "scenarios: feeder: ") {
			t.Errorf("NewFeeder, %s: error = %v, want one", tc.name, err)
		}
	}
}

// TestUniqueNeverRepeats draws every row of a unique feeder from many
// goroutines at once, across shards, and checks no row comes out twice.
func TestUniqueNeverRepeats(t *testing.T) {
	const rows, shards, workers = 1000, 3, 4
	f, err := NewFeeder(Unique, ExhaustedStop, rowsN(rows))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // guards seen
	seen := make(map[string]int, rows)
	var wg sync.WaitGroup
	for i := range shards {
		shard, err := f.Shard(i, shards)
		if err != nil {
			t.Fatal(err)
		}
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(i), uint64(w)))
				for {
					row, ok := shard.Next(r)
					if !ok {
						return
					}
					mu.Lock()
					seen[row["id"]]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(seen) != rows {
		t.Errorf("%d shards handed out %d distinct rows, want all %d", shards, len(seen), rows)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("row %s handed out %d times, want once", id, n)
		}
	}
}

func TestShard(t *testing.T) {
	f, _ := NewFeeder(Unique, ExhaustedWrap, rowsN(5))
	var got []string
	for i := range 2 {
		s, err := f.Shard(i, 2)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for range s.Len() {
			row, _ := s.Next(nil)
			ids = append(ids, row["id"])
		}
		got = append(got, strings.Join(ids, ","))
	}
	if want := []string{"0,2,4", "1,3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Shard(i, 2) rows = %q, want %q", got, want)
	}
	seq, _ := NewFeeder(Sequential, ExhaustedStop, rowsN(5))
	if s, err := seq.Shard(1, 3); err != nil || s.Len() != 5 {
		t.Errorf("sequential Shard(1, 3) = %d rows, %v; want all 5", s.Len(), err)
	}
	for _, c := range [][2]int{{0, 0}, {-1, 2}, {2, 2}} {
		if _, err := f.Shard(c[0], c[1]); err == nil {
			t.Errorf("Shard(%d, %d): no error", c[0], c[1])
		}
	}
	if _, err := f.Shard(5, 6); err == nil || !strings.Contains(err.Error(), "too few for 6 shards") {
		t.Errorf("Shard(5, 6) of 5 unique rows: error = %v, want too few rows", err)
	}
}

// feederFS holds a scenario with feeders and their files.
func feederFS(scenario string) fstest.MapFS {
	return fstest.MapFS{
		"s/s.yaml":            {Data: []byte(scenario)},
		"s/data/users.csv":    {Data: []byte("email,name\na@x,Ann\nb@x,Bob\n")},
		"s/data/topics.jsonl": {Data: []byte("{\"topic\": \"billing\"}\n{\"topic\": \"returns\"}\n")},
		"s/data/bad.csv":      {Data: []byte("email,name\na@x\n")},
		"s/data/dup.csv":      {Data: []byte("topic\nx\n")},
		"s/data/users.txt":    {Data: []byte("email\na@x\n")},
	}
}

func TestScenarioFeeders(t *testing.T) {
	src := head + `feeders:
  - {file: data/users.csv, order: unique, on_exhausted: stop}
  - {file: "${DATA:-data}/topics.jsonl", order: random}
users: {email: "{{.Vars.email}}"}
conversations:
  - name: c
    subject: "{{.Vars.topic}}"
    turns: [{message: "I am {{.Vars.name}}"}]
`
	s, err := LoadFile("s/s.yaml", WithFS(feederFS(src)), WithLookupEnv(lookupTestEnv))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if len(s.Feeders) != 2 || s.Feeders[0].Format != "csv" || s.Feeders[1].Format != "jsonl" ||
		!reflect.DeepEqual(s.Feeders[0].Columns(), []string{"email", "name"}) {
		t.Fatalf("Feeders = %+v, want users.csv (csv: email, name) and topics.jsonl", s.Feeders)
	}
	sh, err := s.Shard(1, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	vars, ok := sh.NextVars(r)
	if !ok || vars["email"] != "b@x" || vars["name"] != "Bob" || (vars["topic"] != "billing" && vars["topic"] != "returns") {
		t.Fatalf("shard 1 of 2: NextVars = %v, %v; want Bob's row and a topic", vars, ok)
	}
	msg, err := sh.Conversations[0].Turns[0].Message.Execute(&TemplateData{Vars: vars})
	if err != nil || msg != "I am Bob" {
		t.Errorf("message = %q, %v; want \"I am Bob\"", msg, err)
	}
	if vars, ok := sh.NextVars(r); ok {
		t.Errorf("second NextVars of a one-row unique shard = %v, true; want false (stop)", vars)
	}
	if vars, ok := (&Scenario{}).NextVars(r); vars != nil || !ok {
		t.Errorf("NextVars with no feeders = %v, %v; want nil, true", vars, ok)
	}
}

func TestFeederProblems(t *testing.T) {
	tests := []struct {
		name, feeders, want string
	}{
		{"missing file", "  - {file: data/none.csv}\n", "s/t.yaml:6:12: feeders[0].file: cannot read feeder: open s/data/none.csv: file does not exist"},
		{"bad row", "  - {file: data/bad.csv}\n", "s/t.yaml:6:12: feeders[0].file: s/data/bad.csv:2:1: wrong number of fields (the header has 2)"},
		{"unknown format", "  - {file: data/users.txt}\n", `s/t.yaml:6:12: feeders[0].file: cannot tell the format of "data/users.txt"`},
		{"explicit format", "  - {file: data/users.txt, format: xml}\n", `s/t.yaml:6:36: feeders[0].format: unknown format "xml" (want csv or jsonl)`},
		{"on_exhausted without unique", "  - {file: data/users.csv, on_exhausted: wrap}\n", "s/t.yaml:6:28: feeders[0].on_exhausted: on_exhausted is only for order: unique"},
		{"unknown order", "  - {file: data/users.csv, order: shuffled}\n", `s/t.yaml:6:35: feeders[0].order: unknown order "shuffled" (want sequential, random or unique)`},
		{"missing file field", "  - {order: random}\n", "s/t.yaml:6:5: feeders[0].file: missing required field"},
		{"column conflict", "  - {file: data/topics.jsonl}\n  - {file: data/dup.csv}\n", `s/t.yaml:7:5: feeders[1]: column "topic" is also in feeders[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head + "feeders:\n" + tt.feeders + conv
			_, err := Parse("s/t.yaml", []byte(src), WithFS(feederFS("")), WithLookupEnv(lookupTestEnv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse with feeders %q: error\n%v\nwant a line starting %q", tt.feeders, err, tt.want)
			}
		})
	}
}

func TestTemplateHintNamesFeederColumns(t *testing.T) {
	src := head + "feeders: [{file: data/users.csv}]\n" + conv + "    subject: \"{{.Vars.mail}}\"\n"
	_, err := Parse("s/t.yaml", []byte(src), WithFS(feederFS("")))
	want := `s/t.yaml:10:14: conversations[0].subject: bad template: <.Vars.mail>: map has no entry for key "mail" (feeder columns: email, name)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
}
