package scenarios_test

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/loadgen/loadgen/scenarios"
)

func ExampleParse() {
	src := `version: 1
name: hello
target: {base_url: "${HELPER_URL:-http://127.0.0.1:8080}"}
load: {arrival_rate: 2/s, duration: 1m}
conversations:
  - name: greet
    turns:
      - message: "Hello from user {{.Seq}}"
        think: {uniform: [1s, 3s]}
`
	noEnv := func(string) (string, bool) { return "", false }
	s, err := scenarios.Parse("hello.yaml", []byte(src), scenarios.WithLookupEnv(noEnv))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Summary())
	fmt.Println(s.Target.BaseURL)
	msg, _ := s.Conversations[0].Turns[0].Message.Execute(&scenarios.TemplateData{Seq: 7})
	fmt.Println(msg)
	// Output:
	// hello: open model, 2/s for 1m, 1 conversation with 1 turn
	// http://127.0.0.1:8080
	// Hello from user 7
}

func ExampleError() {
	src := `version: 1
name: broken
target: {base_url: "http://127.0.0.1:8080"}
load: {arrival_rate: 2/s, users: 5, duration: 1m}
conversations:
  - name: greet
    turns:
      - message: hi
        think: {gauss: 2s}
`
	_, err := scenarios.Parse("broken.yaml", []byte(src))
	var perr *scenarios.Error
	if errors.As(err, &perr) {
		for _, p := range perr.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// broken.yaml:4:27: load.users: users (closed model) and arrival_rate/stages (open model) are mutually exclusive
	// broken.yaml:9:17: conversations[0].turns[0].think: unknown distribution "gauss" (want fixed, uniform or exponential)
}

func ExampleParseRate() {
	for _, s := range []string{"5/s", "30/m", "1/100ms", "0.5", "12"} {
		r, err := scenarios.ParseRate(s)
		fmt.Println(r, r.PerSecond(), err)
	}
	// Output:
	// 5/s 5 <nil>
	// 30/m 0.5 <nil>
	// 1/100ms 10 <nil>
	// 0.5/s 0.5 <nil>
	// 12/s 12 <nil>
}

func ExampleScenario_Pick() {
	s, err := scenarios.Parse("mix.yaml", []byte(`version: 1
name: mix
target: {base_url: "http://127.0.0.1:8080"}
load: {users: 1, duration: 1s}
conversations:
  - {name: rare, weight: 1, turns: [{message: a}]}
  - {name: common, weight: 9, turns: [{message: b}]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rand.New(rand.NewPCG(1, 2)) // one per virtual user: Pick does not lock
	counts := map[string]int{}
	for range 1000 {
		counts[s.Pick(r).Name]++
	}
	fmt.Println(counts["common"] > 850, counts["rare"] > 50)
	// Output: true true
}

func ExampleTemplate_Execute() {
	t := scenarios.MustTemplate("message", `Hi, I'm {{.Vars.name}}: where is order {{.Vars.order}}?`)
	msg, err := t.Execute(&scenarios.TemplateData{Vars: map[string]string{"name": "Ann", "order": "A-17"}})
	fmt.Println(msg, err)
	// Output: Hi, I'm Ann: where is order A-17? <nil>
}
