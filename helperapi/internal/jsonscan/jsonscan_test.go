package jsonscan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestMembers(t *testing.T) {
	keys := []string{"id", "usage"}
	tests := []struct {
		name string
		obj  string
		want string // the calls to set, as key index=value
		ok   bool
	}{
		{"none", `{}`, "", true},
		{"in order, others skipped", `{"id":1,"x":{"id":2},"usage":[1,"}"]}`, `0=1 1=[1,"}"]`, true},
		{"space everywhere", "{ \"id\" :\t\"a\" ,\n\"ID\" : null }", `0="a" 0=null`, true},
		{"case folded, repeated", `{"Id":1,"iD":2,"USAGE":3}`, `0=1 0=2 1=3`, true},
		{"escaped key stops", `{"id":1,"\u0069d":2}`, `0=1`, false},
		{"non-ASCII key stops", `{"ſd":1}`, ``, false},
		{"set false stops", `{"usage":"stop","id":1}`, `1="stop"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			ok := Members([]byte(tt.obj), keys, func(k int, val []byte) bool {
				calls = append(calls, fmt.Sprintf("%d=%s", k, val))
				return string(val) != `"stop"`
			})
			if got := strings.Join(calls, " "); got != tt.want || ok != tt.ok {
				t.Errorf("Members(%s) called set with %q and returned %v; want %q, %v", tt.obj, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestElements(t *testing.T) {
	for _, tt := range []struct{ arr, want string }{
		{`[]`, ``},
		{`[ ]`, ``},
		{`[1, "a,]" ,{"b":[2]}, null ]`, `1|"a,]"|{"b":[2]}|null`},
	} {
		var got []string
		if !Elements([]byte(tt.arr), func(v []byte) bool { got = append(got, string(v)); return true }) {
			t.Errorf("Elements(%s) = false, want true", tt.arr)
		}
		if s := strings.Join(got, "|"); s != tt.want {
			t.Errorf("Elements(%s) gave %q, want %q", tt.arr, s, tt.want)
		}
	}
}

var memberSeeds = []string{
	`{"conversationSlug":"c-123"}`, `{"conversationslug":"a","conversationSlug":"b"}`,
	`{"conversationSlug":"a","conversationSlug":null}`, `{"conversationSlug":7}`,
	`{"conversationSlug":"caf\u00e9"}`, `{"x":{"conversationSlug":"nested"}}`, `{}`, `[]`, `{"conversationSlug":"a"`,
	`{"\u0063onversationSlug":"escaped key"}`, `{"conversationSlug":"tab	in"}`,
}

func checkStringMember(t *testing.T, v []byte) {
	t.Helper()
	var want struct {
		S string `json:"conversationSlug"`
	}
	err := json.Unmarshal(v, &want)
	got, ok := StringMember(v, "conversationSlug")
	if ok && (err != nil || got != want.S) {
		t.Errorf("StringMember(%q) = %q, true; encoding/json gives %q, %v", v, got, want.S, err)
	}
}

func TestStringMemberFastPath(t *testing.T) {
	for _, s := range memberSeeds {
		checkStringMember(t, []byte(s))
	}
	if _, ok := StringMember([]byte(`{"conversationSlug":"c-1","other":[1,{"a":"}"}]}`), "conversationSlug"); !ok {
		t.Errorf("StringMember(a plain object) fell back to encoding/json")
	}
}

func FuzzStringMemberFastPath(f *testing.F) {
	for _, s := range memberSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) { checkStringMember(t, v) })
}
