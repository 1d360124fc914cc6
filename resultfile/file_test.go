package resultfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/results/resultstest"
	"github.com/loadgen/loadgen/stats"
)

var testHeader = results.Run{
	Version:      "v0.1.0",
	ID:           "run-1",
	Scenario:     "demo",
	ScenarioHash: "sha256:abc",
	Start:        resultstest.T0,
	Shards:       1,
	Target:       "http://user:s3cret@127.0.0.1:8080/?token=tok123",
	TargetRate:   12.5,
	Duration:     20 * time.Second,
	Hold:         5 * time.Second,
}

// fullResult is a realistic failed message step.
func fullResult() *results.Result {
	t := resultstest.T0.Add(1234567891 * time.Nanosecond)
	return &results.Result{
		Shard: 2, User: 7, Session: 9, Conversation: "faq \"quoted\"\n\x01é", Turn: 3, Step: results.StepMessage,
		Intended: t, Start: t.Add(17 * time.Microsecond), Wait: 3 * time.Millisecond,
		Code: 200, Error: results.KindStreamTruncated, Detail: "began with f: and ended without d:", BytesIn: 812, BytesOut: 90,
		Latency: 1500 * time.Millisecond, TTFB: 20 * time.Millisecond, TTFT: 110 * time.Millisecond,
		Gaps: []time.Duration{10 * time.Millisecond, 11*time.Millisecond + 7}, Tokens: 3, Parts: 3, Chars: 12,
		RefChars: 40, Shape: results.ShapeModel, Polls: 4, Good: true,
	}
}

// setEveryField sets every field of the struct v points to a value of its
// own, not zero, so that a field the file format forgets to write or to read
// back shows in a round trip. The list of fields is the struct's, by
// reflection: a field added to Result or Run is covered without a test
// change.
func setEveryField(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		f, name := rv.Field(i), rv.Type().Field(i).Name
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(resultstest.T0.Add(time.Duration(i+1) * 1234567891)))
		case f.Type() == reflect.TypeFor[[]time.Duration]():
			f.Set(reflect.ValueOf([]time.Duration{time.Duration(i + 1), time.Duration(i + 1000003)}))
		case f.Kind() == reflect.String:
			f.SetString(name + " \"quoted\"\n\x01é")
		case f.CanInt():
			f.SetInt(int64(i+1) * 1000003)
		case f.CanUint():
			f.SetUint(uint64(i + 1))
		case f.CanFloat():
			f.SetFloat(float64(i) + 0.5)
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Type() == reflect.TypeFor[*results.Config]():
			f.Set(reflect.ValueOf(&results.Config{Description: name + " \"quoted\"", Settings: []results.Setting{{Name: "load", Value: "closed, 2 users"}},
				Conversations: []results.ConfigConversation{{Name: "faq", Weight: 3, Share: "75%", Mode: "stream", Turns: "2"}}}))
		default:
			t.Fatalf("setEveryField: no value for field %s of type %s: teach this test its type", name, f.Type())
		}
	}
}

// sameFields reports the fields of two structs that differ; times compare
// with Equal (they come back in the local zone).
func sameFields(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range w.NumField() {
		name := w.Type().Field(i).Name
		gt, okg := g.Field(i).Interface().(time.Time)
		wt, okw := w.Field(i).Interface().(time.Time)
		if okg && okw && gt.Equal(wt) {
			continue
		}
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("%s.%s read back as %#v, written as %#v: the writer (format.go) and reader (reader.go) disagree on its key",
				what, name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}

// keys returns the keys of a JSON object line, without "k".
func keys(t *testing.T, line string) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	delete(m, "k")
	return slices.Sorted(maps.Keys(m))
}

// TestFileRoundTripEveryField writes a Result and a Run with every field
// set and reads them back: each field must come back equal, each under one
// key of its own.
func TestFileRoundTripEveryField(t *testing.T) {
	var run results.Run
	setEveryField(t, &run)
	run.Target = "http://127.0.0.1:8080/x" // kept as is: no credentials to redact
	var res results.Result
	setEveryField(t, &res)

	var buf bytes.Buffer
	w, err := resultfile.NewWriter(&buf, run)
	if err != nil {
		t.Fatal(err)
	}
	w.Record(&res)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if got, want := len(keys(t, lines[0])), reflect.TypeFor[results.Run]().NumField()+1; got != want {
		t.Errorf("header keys %q: %d, want one per results.Run field and format (%d)", keys(t, lines[0]), got, want)
	}
	if got, want := len(keys(t, lines[1])), reflect.TypeFor[results.Result]().NumField(); got != want {
		t.Errorf("result keys %q: %d, want one per results.Result field (%d)", keys(t, lines[1]), got, want)
	}

	r, err := resultfile.NewReader(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	gotRun := r.Run()
	sameFields(t, "Run", &gotRun, &run)
	ev, err := r.Next()
	if err != nil || ev.Result == nil {
		t.Fatalf("Next() = %+v, %v; want the result", ev, err)
	}
	sameFields(t, "Result", ev.Result, &res)
}

func TestFileRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	clock := resultstest.T0.Add(time.Minute)
	w, err := resultfile.NewWriter(&buf, testHeader, resultfile.WithWriterClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	want := fullResult()
	w.SessionStarted("faq")
	w.Record(want)
	w.Record(&results.Result{Step: results.StepSession}) // all zero but the step
	w.SessionEnded("faq", results.EndFailed)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r, err := resultfile.NewReader(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	wantRun := testHeader
	wantRun.Target = "http://127.0.0.1:8080/"
	if got := r.Run(); !reflect.DeepEqual(got, wantRun) {
		t.Errorf("Run() = %+v, want %+v", got, wantRun)
	}
	var evs []resultfile.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	if len(evs) != 4 {
		t.Fatalf("read %d events, want 4", len(evs))
	}
	if got := evs[0]; got.Kind != "start" || got.Conversation != "faq" || !got.At.Equal(clock) {
		t.Errorf("event 0 = %+v, want a start of faq at %v", got, clock)
	}
	sameFields(t, "Result", evs[1].Result, want)
	if got := evs[2].Result; !reflect.DeepEqual(got, &results.Result{Step: results.StepSession}) {
		t.Errorf("zero result read back = %+v", got)
	}
	if got := evs[3]; got.Kind != "end" || got.End != results.EndFailed {
		t.Errorf("event 3 = %+v, want an end (failed)", got)
	}
	if !r.ClosedAt().Equal(clock) || len(r.Warnings()) != 0 || r.Records() != 4 {
		t.Errorf("ClosedAt %v, Warnings %q, Records %d; want %v, none, 4", r.ClosedAt(), r.Warnings(), r.Records(), clock)
	}
}

func TestFileHasNoCredentials(t *testing.T) {
	var buf bytes.Buffer
	w, err := resultfile.NewWriter(&buf, testHeader)
	if err != nil {
		t.Fatal(err)
	}
	w.Record(fullResult())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret", "tok123", "user:"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("results file contains %q", secret)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"user info", "https://u:p@helper.example/api", "https://helper.example/api"},
		{"query and fragment", "http://h/?key=s3cret#x", "http://h/"},
		{"empty", "", ""},
		{"unparsable", "http://[::1", "(unparsable URL)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := results.RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// writeRun writes the events of a synthetic run to a results file.
func writeRun(t *testing.T, path string, h results.Run, evs []resultstest.Event) {
	t.Helper()
	w, err := resultfile.Create(path, h)
	if err != nil {
		t.Fatal(err)
	}
	resultstest.Replay(w, evs)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFileTruncatedLastRecord(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	evs := resultstest.Generate(resultstest.Config{Seed: 4, Sessions: 20, Rate: 10})
	writeRun(t, path, testHeader, evs)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	// Keep the header and 10 records, then half of the 11th.
	cut := append(bytes.Join(lines[:11], nil), lines[11][:len(lines[11])/2]...)
	if err := os.WriteFile(path, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	s := stats.New()
	infos, err := resultfile.ReadFiles(s, path)
	if err != nil {
		t.Fatalf("ReadFiles: %v, want the records before the cut", err)
	}
	if got := infos[0].Records; got != 10 {
		t.Errorf("Records = %d, want 10", got)
	}
	if w := infos[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "line 12 is cut short") {
		t.Errorf("Warnings = %q, want one about line 12 cut short", w)
	}
	if !infos[0].ClosedAt.IsZero() {
		t.Errorf("ClosedAt = %v, want zero", infos[0].ClosedAt)
	}
}

func TestFileErrors(t *testing.T) {
	header := `{"k":"header","format":1,"run_id":"r"}` + "\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "not a loadgen results file: empty"},
		{"not a header", `{"k":"result"}` + "\n", "the first line is not a header"},
		{"a summary JSON", `{"run_id":"x","steps":{}}` + "\n", "the first line is not a header"},
		{"future format", `{"k":"header","format":2}` + "\n", "format version 2"},
		{"broken middle line", header + "{oops}\n" + `{"k":"close","at":1}` + "\n", "test:2: bad record"},
		{"unknown kind", header + `{"k":"weird"}` + "\n", `test:2: unknown record kind "weird"`},
		{"second header", header + header, "test:2: a second header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readAll(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("reading %q: error = %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
	if err := readAll("nothing"); !errors.Is(err, resultfile.ErrFormat) {
		t.Errorf("error %v is not ErrFormat", err)
	}
}

func readAll(in string) error {
	r, err := resultfile.NewReader(strings.NewReader(in), "test")
	if err != nil {
		return err
	}
	return r.Replay(stats.New())
}

func TestFilesOfShardsMergeToTheWholeRun(t *testing.T) {
	dir := t.TempDir()
	evs := resultstest.Generate(resultstest.Config{Seed: 9, Sessions: 150, Rate: 30})
	whole := stats.New()
	resultstest.Replay(whole, evs)

	var paths []string
	for i, sh := range resultstest.Split(evs, 2) {
		h := testHeader
		h.Shard, h.Shards = i, 2
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		writeRun(t, p, h, sh)
		paths = append(paths, p)
	}
	merged := stats.New()
	infos, err := resultfile.ReadFiles(merged, paths...)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[1].Run.Shard != 1 || len(infos[0].Warnings) != 0 {
		t.Errorf("infos = %+v, want 2 clean shards", infos)
	}
	if diff := resultstest.Diff(merged.Snapshot(), whole.Snapshot()); diff != "" {
		t.Fatal("summary of the shard files != summary of the whole run: " + diff)
	}
}

func TestWriterAfterClose(t *testing.T) {
	var buf bytes.Buffer
	w, err := resultfile.NewWriter(&buf, testHeader)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	w.Record(fullResult())
	if buf.Len() != n {
		t.Error("Record after Close wrote to the file")
	}
	if err := w.Close(); !errors.Is(err, resultfile.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestWriterKeepsFirstError(t *testing.T) {
	w, err := resultfile.NewWriter(&failWriter{n: 1}, testHeader) // header fits, nothing else
	if err != nil {
		t.Fatal(err)
	}
	w.Record(fullResult())
	if err := w.Err(); err == nil || !strings.Contains(err.Error(), "results: write: disk full") {
		t.Errorf("Err() = %v, want the write error", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close() = nil after a write error")
	}
}

// TestFileSurvivesKill kills a process that is writing a results file and
// reads what it left: every record before the one being written.
func TestFileSurvivesKill(t *testing.T) {
	if path := os.Getenv("LOADGEN_TEST_KILL_FILE"); path != "" {
		w, err := resultfile.Create(path, testHeader)
		if err != nil {
			os.Exit(1)
		}
		r := fullResult()
		for i := 0; ; i++ { // until killed (the parent waits at most 10 s)
			r.User = uint64(i + 1)
			w.Record(r)
		}
	}
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	path := filepath.Join(t.TempDir(), "killed.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileSurvivesKill$")
	cmd.Env = append(os.Environ(), "LOADGEN_TEST_KILL_FILE="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 200<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the writer process wrote less than 200 KB in 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()

	s := stats.New()
	infos, err := resultfile.ReadFiles(s, path)
	if err != nil {
		t.Fatalf("reading a killed run's file: %v", err)
	}
	b, _ := os.ReadFile(path)
	whole := int64(bytes.Count(b, []byte("\n"))) - 1 // minus the header
	if got := infos[0].Records; got != whole || got < 100 {
		t.Errorf("read %d records, want all %d whole lines (at least 100)", got, whole)
	}
	if got := s.Snapshot().Step(results.StepMessage).Count; got != whole {
		t.Errorf("summary counts %d messages, want %d", got, whole)
	}
	if len(infos[0].Warnings) != 1 {
		t.Errorf("Warnings = %q, want one (cut short or not closed)", infos[0].Warnings)
	}
}

func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	w, err := resultfile.NewWriter(&buf, testHeader)
	if err != nil {
		f.Fatal(err)
	}
	w.SessionStarted("faq")
	w.Record(fullResult())
	w.SessionEnded("faq", results.EndCompleted)
	_ = w.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-7])
	f.Add([]byte(`{"k":"header","format":1}` + "\n" + `{"k":"result","gaps":[1,2,3],"step":"message"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := resultfile.NewReader(bytes.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		s := stats.New()
		if err := r.Replay(s); err != nil {
			return
		}
		if got, want := s.Snapshot().Requests()+s.Snapshot().Unknown, countResults(r); got > want {
			t.Fatalf("summary holds %d results, more than the %d records read", got, want)
		}
	})
}

func countResults(r *resultfile.Reader) int64 { return r.Records() }

func ExampleReadFiles() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.jsonl")

	w, _ := resultfile.Create(path, results.Run{ID: "r1", Scenario: "demo", Start: time.Now()})
	w.SessionStarted("faq")
	w.Record(&results.Result{Step: results.StepSession, Start: time.Now(), Code: 200, Latency: 12 * time.Millisecond})
	w.SessionEnded("faq", results.EndCompleted)
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}

	s := stats.New()
	infos, err := resultfile.ReadFiles(s, path)
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(infos[0].Run.Scenario, infos[0].Records, s.Snapshot().Sessions.Completed)
	// Output: demo 3 1
}

func BenchmarkWriterRecord(b *testing.B) {
	w, err := resultfile.Create(filepath.Join(b.TempDir(), "bench.jsonl"), testHeader)
	if err != nil {
		b.Fatal(err)
	}
	r := fullResult()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Record(r)
		}
	})
	b.StopTimer()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkReaderReplay(b *testing.B) {
	var buf bytes.Buffer
	w, err := resultfile.NewWriter(&buf, testHeader)
	if err != nil {
		b.Fatal(err)
	}
	evs := resultstest.Generate(resultstest.Config{Seed: 1, Sessions: 200, Rate: 50})
	resultstest.Replay(w, evs)
	_ = w.Close()
	data := buf.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		r, err := resultfile.NewReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Replay(stats.New()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs)), "records/op")
}

// TestMergeIsTheWholeRunInTimeOrder: the shard files merged by Merge into
// one file read back as the whole run, series included (which needs the
// session events in time order across the shards).
func TestMergeIsTheWholeRunInTimeOrder(t *testing.T) {
	dir := t.TempDir()
	evs := resultstest.Generate(resultstest.Config{Seed: 5, Sessions: 120, Rate: 40})
	whole := stats.New()
	resultstest.Replay(whole, evs)
	var paths []string
	for i, sh := range resultstest.Split(evs, 3) {
		h := testHeader
		h.Shard, h.Shards = i, 3
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		writeRun(t, p, h, sh)
		paths = append(paths, p)
	}
	mergedPath := filepath.Join(dir, "merged.jsonl")
	w, err := resultfile.Create(mergedPath, testHeader)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := resultfile.Merge(w, paths...)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var records int64
	for _, in := range infos {
		records += in.Records
	}
	back := stats.New()
	got, err := resultfile.ReadFiles(back, mergedPath)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Records != records || records != int64(len(evs)) {
		t.Errorf("merged file holds %d records, the shards %d, the run %d", got[0].Records, records, len(evs))
	}
	if diff := resultstest.Diff(back.Snapshot(), whole.Snapshot()); diff != "" {
		t.Fatal("the merged file != the whole run: " + diff)
	}
}
