// This file holds no code of loadgen: its tests keep names that mean one
// thing across the module's packages (issue 11), so that a reader who meets
// a type name, or a package name, never has to ask which one it is.
package loadgen_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idioms are type names that any package may define: each is that
// package's own instance of a Go idiom (functional options, a
// constructor's description, its typed error, its file reader and writer,
// the HTTP server it runs or the client of its protocol), as in
// csv.Reader and json.Decoder or http.Client. A name ending in Options is
// one call's parameters, named after the call (x509.VerifyOptions).
var idioms = map[string]bool{
	"Option": true, "Config": true, "Error": true, "Reader": true, "Writer": true,
	"Server": true, "Client": true,
}

// shared are the exported type names defined in more than one package with
// the same meaning: the packages that define each, and why it stays. A
// name in another package, or a package that no longer defines it, fails
// the test: rename the new type, or add it here with its reason.
var shared = map[string]struct {
	pkgs   []string
	reason string
}{
	"Kind": {[]string{"helperapi", "results"},
		"a failed step's class: helperapi's are the client's, a subset of results', mapped in runner/kinds.go (the client must not import results)"},
	"Shape": {[]string{"helperapi", "helperapi/stream", "results"},
		"a reply's form: helperapi's is an alias of stream's; results' the same words, mapped in runner/kinds.go"},
	"Usage": {[]string{"helperapi", "helperapi/stream"},
		"token usage: helperapi's is an alias of stream's"},
	"Conversation": {[]string{"helperapi", "transcripts"},
		"a Helper conversation: the server's body, and a recording of one"},
	"Message": {[]string{"helperapi", "transcripts"},
		"a message of that conversation, likewise"},
	"Event": {[]string{"resultfile", "results/resultstest"},
		"one record of a run: read from a results file, or made up by the test helper"},
	"SLO": {[]string{"metrics", "scenarios"},
		"the scenario's slo block: metrics shows it and may not import scenarios"},
	"Route": {[]string{"accesslog", "mockserver"},
		"an endpoint of Helper's API: as the access log's profile counts it, and as the mock serves it"},
	"Problem": {[]string{"collect", "scenarios"},
		"one thing wrong, said in words: in a scenario file (with its position), or in a request to the collector (with its reason)"},
	"Trend": {[]string{"report", "steady"},
		"a fitted slope with its interval: report's is steady.Trend as the summary JSON writes it"},
	"Answer": {[]string{"capacity", "sweep"},
		"capacity or SLO-max with its interval: sweep's is capacity.Answer as a sweep's JSON writes it"},
	"Probe": {[]string{"capacity", "sweep"},
		"one probe's report: sweep's is capacity.Probe as a sweep's files write it"},
	"Prober": {[]string{"capacity", "sweep"},
		"what runs probes: sweep's implements capacity's interface with loadgen's runner"},
	"Change": {[]string{"report", "sweep"},
		"compare's words: one figure's change between two runs (report) or two sweeps (sweep)"},
	"Comparison": {[]string{"report", "sweep"},
		"compare's words: what comparing two runs, or two sweeps, found"},
	"Rule": {[]string{"report", "sweep"},
		"compare's words: a regression gate (--fail-on) on two runs, or on two sweeps"},
	"Series": {[]string{"internal/chart", "stats"},
		"a series over time: a run's (stats), or one line of a chart, the charting term (uPlot's series)"},
}

// TestTypeNamesMeanOneThing parses every Go file of the repository (tests
// aside; deploy/, its own module, included) and fails when an exported type
// name is defined in two packages unless it is an idiom or listed in
// shared with exactly those packages.
func TestTypeNamesMeanOneThing(t *testing.T) {
	defs := map[string][]string{} // type name → package directories
	for dir, files := range goFiles(t) {
		seen := map[string]bool{}
		for _, f := range files {
			for _, decl := range f.Decls {
				g, ok := decl.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, spec := range g.Specs {
					name := spec.(*ast.TypeSpec).Name.Name
					if ast.IsExported(name) && !seen[name] {
						seen[name] = true
						defs[name] = append(defs[name], dir)
					}
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		pkgs := defs[name]
		slices.Sort(pkgs)
		s, listed := shared[name]
		switch {
		case idioms[name] || strings.HasSuffix(name, "Options"):
		case listed && !slices.Equal(pkgs, s.pkgs):
			t.Errorf("type %s is defined in %s; names_test.go lists it as shared by %s (%s): "+
				"rename it, or update the list if it means the same there", name, strings.Join(pkgs, ", "), strings.Join(s.pkgs, ", "), s.reason)
		case !listed && len(pkgs) > 1:
			t.Errorf("type %s is defined in %s: a name that means two things makes readers ask which; "+
				"rename one, or list it in names_test.go's shared with why it means the same", name, strings.Join(pkgs, ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(shared)) {
		if idioms[name] {
			t.Errorf("%s is both an idiom and listed in shared", name)
		}
		if _, ok := defs[name]; !ok {
			t.Errorf("names_test.go lists %s as shared, but no package defines it any more", name)
		}
	}
}

// TestPackageNamesDiffer fails when two packages (commands aside) have the
// same name, which makes a file that needs both alias one of them.
func TestPackageNamesDiffer(t *testing.T) {
	byName := map[string][]string{}
	for dir, files := range goFiles(t) {
		if name := files[0].Name.Name; name != "main" {
			byName[name] = append(byName[name], dir)
		}
	}
	for name, dirs := range byName {
		if len(dirs) > 1 {
			slices.Sort(dirs)
			t.Errorf("package name %s is used by %s", name, strings.Join(dirs, ", "))
		}
	}
}

// goFiles parses the type declarations of every non-test Go file under the
// repository's root, by package directory ("." for the root).
func goFiles(t *testing.T) map[string][]*ast.File {
	t.Helper()
	pkgs := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "." && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		pkgs[dir] = append(pkgs[dir], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found Go files in %d directories only: is the test run from the repository's root?", len(pkgs))
	}
	return pkgs
}
