// Package textwrap breaks text into lines at spaces, for help texts and
// reports printed to a terminal.
package textwrap

import "strings"

// Lines breaks text into lines of at most width bytes at spaces (a longer
// word gets a line of its own); runs of white space become one space.
func Lines(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
