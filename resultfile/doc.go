// Package resultfile writes and reads results files: loadgen's own JSON
// lines format (Writer, Create, Reader, ReadFiles; FormatVersion documents
// it), streamed and crash-safe, whose header holds the run's facts
// (results.Run); and vegeta's encoding (VegetaWriter), so that vegeta
// report and vegeta plot work on loadgen's runs.
//
// A result line has one key per field of results.Result, written in
// format.go and read in reader.go; TestFileRoundTripEveryField sets every
// field by reflection and fails when the two disagree, so a new field
// needs its key in both files and nothing else.
package resultfile
