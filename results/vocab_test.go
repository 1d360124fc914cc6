package results_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/results"
)

// words returns every public string of the vocabulary, and what it is.
func words() map[string]string {
	w := map[string]string{}
	for _, s := range results.Steps() {
		w[string(s)] = "step"
	}
	for _, k := range results.Kinds() {
		w[string(k)] = "kind"
	}
	for _, s := range results.Shapes() {
		w[string(s)] = "shape"
	}
	return w
}

// TestVocabulary checks each list: distinct, non-empty, label-safe words,
// and the tables' methods agree with them.
func TestVocabulary(t *testing.T) {
	label := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	check := func(what string, list []string) {
		t.Helper()
		for i, s := range list {
			if !label.MatchString(s) {
				t.Errorf("%s %q: want lower-case letters, digits and _ (a metric label value)", what, s)
			}
			if slices.Contains(list[:i], s) {
				t.Errorf("%s %q listed twice", what, s)
			}
		}
	}
	var steps, kinds, shapes, ends []string
	for i, s := range results.Steps() {
		steps = append(steps, string(s))
		if s.Index() != i || !s.Known() {
			t.Errorf("Step(%q).Index() = %d, want %d", s, s.Index(), i)
		}
		if m, p := s.Request(); m == "" || !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/widget/") {
			t.Errorf("Step(%q).Request() = %q %q, want a method and an /api/ or /widget/ path", s, m, p)
		}
		if s.Overhead() != (s == results.StepPoll) {
			t.Errorf("Step(%q).Overhead() = %v, want true for polls only", s, s.Overhead())
		}
	}
	if len(steps) != results.NumSteps {
		t.Errorf("NumSteps = %d, Steps() has %d", results.NumSteps, len(steps))
	}
	for _, k := range results.Kinds() {
		kinds = append(kinds, string(k))
		if !k.Known() {
			t.Errorf("Kind(%q).Known() = false", k)
		}
	}
	for _, s := range results.Shapes() {
		shapes = append(shapes, string(s))
		if !s.Known() || s.Description() == "" {
			t.Errorf("Shape(%q) has no description", s)
		}
	}
	for i, e := range results.Ends() {
		ends = append(ends, string(e))
		if e.Index() != i {
			t.Errorf("End(%q).Index() = %d, want %d", e, e.Index(), i)
		}
	}
	check("step", steps)
	check("kind", kinds)
	check("shape", shapes)
	check("end", ends)
	for _, unknown := range []string{"", "other", "Message"} {
		if results.Step(unknown).Known() || results.Kind(unknown).Known() || results.Shape(unknown).Known() || results.End(unknown).Index() >= 0 {
			t.Errorf("%q is known", unknown)
		}
	}
	if results.KindCanceled.Timed() || !results.KindTimeout.Timed() {
		t.Error("only canceled steps are untimed")
	}
}

// TestNoHandCopiedWords reads every Go file (tests aside) of the packages
// that use results and fails on a string literal that spells a step, kind or
// shape: each must come from the constants and lists in vocab.go, so adding
// or renaming one is a change in one place. The client (helperapi) keeps
// its own words, mapped in runner/kinds.go; the mock never imports either.
func TestNoHandCopiedWords(t *testing.T) {
	w := words()
	root := filepath.Join("..")
	const importPath = `"github.com/loadgen/loadgen/results"`
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || (strings.HasPrefix(n, ".") && n != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Base(path) == "vocab.go" {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inResults := filepath.Dir(path) == "."
		uses := inResults || slices.ContainsFunc(f.Imports, func(s *ast.ImportSpec) bool { return s.Path.Value == importPath })
		if !uses {
			return nil
		}
		fset := token.NewFileSet()
		f, _ = parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			parent := ast.Node(nil)
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, n)
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			what, ok := w[s]
			if !ok || (what == "step" && !usedAsValue(parent, lit)) {
				return true
			}
			t.Errorf("%s: %s literal %q: use the results constant", fset.Position(lit.Pos()), what, s)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestREADMEKinds checks that the README's list of error kinds is
// results.Kinds(), in order.
func TestREADMEKinds(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "Error kinds: ")
	if !ok {
		t.Fatal(`README.md: no "Error kinds: " line`)
	}
	list, _, _ := strings.Cut(after, ".\n")
	var got []string
	for _, f := range strings.Split(list, ",") {
		got = append(got, strings.Trim(strings.TrimSpace(f), "`"))
	}
	var want []string
	for _, k := range results.Kinds() {
		want = append(want, string(k))
	}
	if !slices.Equal(got, want) {
		t.Errorf("README.md error kinds = %q\nwant results.Kinds() = %q", got, want)
	}
}

// usedAsValue reports whether lit, a child of parent, is used as a value
// that a step could be: compared, a case, an element of a list or a map
// value. Step words are common ("session", "message"), so a step word as a
// map key or a call's argument (a JSON or log key) is not flagged.
func usedAsValue(parent ast.Node, lit *ast.BasicLit) bool {
	switch p := parent.(type) {
	case *ast.BinaryExpr:
		return p.Op == token.EQL || p.Op == token.NEQ
	case *ast.CaseClause:
		return true
	case *ast.CompositeLit:
		return true // a bare element: []string{"session", …}
	case *ast.KeyValueExpr:
		return p.Value == lit
	}
	return false
}
