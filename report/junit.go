package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// JUnit XML, as CI systems read it: one test suite for the run, one test
// case per threshold, a failure element for each that failed.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the thresholds of s as JUnit XML (--junit FILE): a
// suite named after the scenario with one test case per threshold.
func WriteJUnit(w io.Writer, s *Summary) error {
	suite := junitSuite{
		Name:  "loadgen thresholds: " + s.Scenario,
		Tests: len(s.Thresholds),
		Time:  strconv.FormatFloat(s.DurationS, 'f', 3, 64),
		Properties: []junitProperty{
			{"run_id", s.RunID}, {"scenario", s.Scenario}, {"target", s.Target}, {"loadgen_version", s.Version},
		},
	}
	if !s.StartedAt.IsZero() {
		suite.Timestamp = s.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	for _, o := range s.Thresholds {
		value := o.Show()
		c := junitCase{Name: o.Expr, Classname: "loadgen.thresholds." + s.Scenario, Time: "0",
			SystemOut: fmt.Sprintf("value %s from %d samples", value, o.Samples)}
		switch {
		case o.NoSamples:
			suite.Failures++
			c.SystemOut = "no samples: nothing was measured for this metric"
			c.Failure = &junitFailure{Type: "threshold", Message: fmt.Sprintf("%s failed: no samples (nothing was measured)", o.Expr),
				Text: fmt.Sprintf("threshold %s\nvalue     no samples\n", o.Expr)}
		case !o.Pass:
			suite.Failures++
			c.Failure = &junitFailure{Type: "threshold", Message: fmt.Sprintf("%s failed: the value is %s", o.Expr, value),
				Text: fmt.Sprintf("threshold %s\nvalue     %s (%d samples)\n", o.Expr, value, o.Samples)}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if d := s.Distributed; d != nil {
		c := junitCase{Name: "every shard's results merged", Classname: "loadgen.run." + s.Scenario, Time: "0",
			SystemOut: fmt.Sprintf("%d of %d shards merged", d.Received, d.Shards)}
		if p := d.Problem(); p != "" {
			suite.Failures++
			c.Failure = &junitFailure{Type: "incomplete", Message: p, Text: p + "\n"}
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "loadgen", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode JUnit: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header+string(b)+"\n"); err != nil {
		return fmt.Errorf("report: write JUnit: %w", err)
	}
	return nil
}
