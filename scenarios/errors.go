package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// String formats the position as file:line:col, leaving out the parts that
// are unknown (a YAML syntax error, for example, has a line but no column).
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Column))
		}
	}
	return b.String()
}

// Problem is one thing wrong with a scenario file.
type Problem struct {
	Pos  Pos    // where; Line is always set (1 for the whole file)
	Path string // the field, e.g. conversations[1].turns[0].think ("" for the whole file)
	Msg  string // what is wrong and, where it helps, what would be right
}

// String formats the problem as "file:line:col: path: msg".
func (p Problem) String() string {
	var b strings.Builder
	if pos := p.Pos.String(); pos != "" {
		b.WriteString(pos)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is every problem found in one scenario file, sorted by position.
// Parse and Load return it (use errors.As) whenever the file's content is
// at fault; failures to read the file itself are returned as plain errors.
type Error struct {
	File     string
	Problems []Problem // at least one
}

// Error prints one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// maxProblems bounds the problems reported for one file; the rest are counted.
const maxProblems = 100

// problems collects Problems while a file is decoded.
type problems struct {
	file string
	list []Problem
}

// add records a problem at line:col.
func (ps *problems) add(line, col int, path, format string, args ...any) {
	if line < 1 {
		line, col = 1, 1
	}
	ps.list = append(ps.list, Problem{
		Pos:  Pos{File: ps.file, Line: line, Column: col},
		Path: path,
		Msg:  fmt.Sprintf(format, args...),
	})
}

// err returns the collected problems as an *Error, or nil when there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	list := slices.Clone(ps.list)
	slices.SortStableFunc(list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	list = slices.Compact(list)
	if n := len(list) - maxProblems; n > 0 {
		list = append(list[:maxProblems], Problem{Pos: list[maxProblems].Pos, Msg: fmt.Sprintf("and %d more problems", n)})
	}
	return &Error{File: ps.file, Problems: list}
}
