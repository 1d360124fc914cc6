package k8s

import "strings"

// Expand replaces the $(VAR) references in s as the kubelet does in a
// container's command, args and env values: $(NAME) becomes lookup(NAME)
// when lookup knows NAME and stays as written otherwise; $$ is a literal $
// (so $$(NAME) is the text $(NAME)); a $ before anything else, or a "$("
// without its ")", is kept. This follows Kubernetes'
// third_party/forked/golang/expansion, which the kubelet uses.
func Expand(s string, lookup func(name string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; next {
		case '$': // escaped operator
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 { // incomplete reference: keep "$(" and go on
				b.WriteString("$(")
				i++
				continue
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
			}
			i += 2 + end
		default:
			b.WriteByte('$')
			b.WriteByte(next)
			i++
		}
	}
	return b.String()
}

// References returns the variable names that s refers to with $(NAME),
// skipping escaped $$(NAME).
func References(s string) []string {
	var names []string
	Expand(s, func(name string) (string, bool) {
		names = append(names, name)
		return "", true
	})
	return names
}
