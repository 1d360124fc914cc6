package results

// Config is what a run was asked to do, as reports show it: the scenario's
// settings and the command line's overrides (report.ConfigOf makes one). It
// never holds a secret, a header value, a feeder row or a template's
// output: only names, shapes and numbers.
type Config struct {
	Description   string               `json:"description,omitempty"`
	Settings      []Setting            `json:"settings"`
	Conversations []ConfigConversation `json:"conversations,omitempty"`
}

// Setting is one named setting, formatted for people.
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ConfigConversation is one conversation of the mix.
type ConfigConversation struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
	Share  string `json:"share"` // of sessions, from the weights
	Mode   string `json:"mode"`
	Turns  string `json:"turns"` // "3", or the transcript's file and timing
}
