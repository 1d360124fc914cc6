package k8s

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
)

// kustomizations are the shipped ones, and the Secrets each expects to
// exist in the cluster beforehand.
var kustomizations = []struct {
	dir      string
	external []string
}{
	{"base", []string{"loadgen-hmac"}},
	{"overlays/kind", nil},
	{"overlays/example", []string{"loadgen-hmac"}},
}

func TestShippedManifests(t *testing.T) {
	for _, k := range kustomizations {
		t.Run(k.dir, func(t *testing.T) {
			m := mustRender(t, k.dir)
			for _, err := range Check(m, CheckOptions{ExternalSecrets: k.external}) {
				t.Error(err)
			}
			if len(m.Jobs) != 2 {
				t.Fatalf("%d Jobs, want 2 (collector and shards)", len(m.Jobs))
			}
			shards := shardJob(t, m)
			if shards.Spec.BackoffLimitPerIndex == nil || *shards.Spec.BackoffLimitPerIndex != 0 {
				t.Errorf("shard Job backoffLimitPerIndex = %v, want 0", shards.Spec.BackoffLimitPerIndex)
			}
			if rp := shards.Spec.Template.Spec.RestartPolicy; rp != "Never" {
				t.Errorf("shard pods' restartPolicy = %q, want Never", rp)
			}
		})
	}
}

// TestComponents renders the base with every optional component, as an
// overlay of the user's would.
func TestComponents(t *testing.T) {
	m := mustRender(t, "testdata/all-components")
	for _, err := range Check(m, CheckOptions{ExternalSecrets: []string{"loadgen-hmac"}}) {
		t.Error(err)
	}
	j := shardJob(t, m)
	if *j.Spec.Completions != 6 || *j.Spec.Parallelism != 6 {
		t.Errorf("completions, parallelism = %d, %d; want 6, 6 from shards=6", *j.Spec.Completions, *j.Spec.Parallelism)
	}
	if j.Spec.BackoffLimitPerIndex != nil || j.Spec.BackoffLimit == nil || *j.Spec.BackoffLimit != 0 {
		t.Errorf("pre-1.29: backoffLimitPerIndex = %v, backoffLimit = %v; want unset and 0", j.Spec.BackoffLimitPerIndex, j.Spec.BackoffLimit)
	}
	if len(m.PodMonitors) != 1 {
		t.Errorf("%d PodMonitors, want 1", len(m.PodMonitors))
	}
}

// TestStrictDecoding shows what kubectl kustomize lets through and Render
// does not: misspelled or unknown fields and values of the wrong type.
func TestStrictDecoding(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"misspelled field", jobDoc("  completion: 4"), `unknown field "spec.completion"`},
		{"wrong case", jobDoc("  Completions: 4"), `unknown field "spec.Completions"`},
		{"string for an int", jobDoc(`  completions: "4"`), "cannot unmarshal string"},
		{"unknown kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "unknown kind v1/Pod"},
		{"PodMonitor field", `apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: pm}
spec:
  selector: {matchLabels: {a: b}}
  podMetricEndpoints: [{port: metrics}]
`, `unknown field "spec.podMetricEndpoints"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "kustomization.yaml"), "resources: [obj.yaml]\n")
			writeFile(t, filepath.Join(dir, "obj.yaml"), tc.doc)
			_, err := Render(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Render = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func jobDoc(extra string) string {
	return `apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
` + extra + `
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: "i:1"}]
`
}

func mustRender(t *testing.T, dir string) *Manifests {
	t.Helper()
	m, err := Render(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func shardJob(t *testing.T, m *Manifests) *batchv1.Job {
	t.Helper()
	for _, j := range m.Jobs {
		if j.Spec.CompletionMode != nil && *j.Spec.CompletionMode == batchv1.IndexedCompletion {
			return j
		}
	}
	t.Fatal("no Indexed Job")
	return nil
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
