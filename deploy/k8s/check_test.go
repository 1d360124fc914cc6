package k8s

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// TestCheckFindsBreaks breaks the rendered kind overlay (plus a PodMonitor)
// one rule at a time; Check must name each break.
func TestCheckFindsBreaks(t *testing.T) {
	shards := func(m *Manifests) *batchv1.Job { return shardJob(t, m) }
	shardPod := func(m *Manifests) *corev1.PodSpec { return &shards(m).Spec.Template.Spec }
	collector := func(m *Manifests) *batchv1.Job {
		for _, j := range m.Jobs {
			if j != shards(m) {
				return j
			}
		}
		t.Fatal("no collector Job")
		return nil
	}
	for _, tc := range []struct {
		name   string
		break_ func(m *Manifests)
		want   string
	}{
		{"indexed without completions", func(m *Manifests) { shards(m).Spec.Completions = nil }, "completionMode Indexed needs completions"},
		{"parallelism above completions", func(m *Manifests) { shards(m).Spec.Parallelism = ptr.To[int32](9) }, "parallelism 9 > completions 4"},
		{"parallelism below completions", func(m *Manifests) { shards(m).Spec.Parallelism = ptr.To[int32](2) }, "need parallelism = completions"},
		{"N differs from the ConfigMap", func(m *Manifests) {
			shards(m).Spec.Completions, shards(m).Spec.Parallelism = ptr.To[int32](3), ptr.To[int32](3)
		}, "says shards=4"},
		{"per-index backoff on a non-indexed Job", func(m *Manifests) { collector(m).Spec.BackoffLimitPerIndex = ptr.To[int32](0) }, "backoffLimitPerIndex needs completionMode Indexed"},
		{"restartPolicy Always", func(m *Manifests) { shardPod(m).RestartPolicy = corev1.RestartPolicyAlways }, `restartPolicy "Always"`},
		{"Job selector without manualSelector", func(m *Manifests) {
			shards(m).Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}
		}, "without manualSelector"},
		{"Service selects no pod", func(m *Manifests) { m.Services[0].Spec.Selector["app.kubernetes.io/component"] = "nothing" }, "matches no pod template"},
		{"Service targetPort missing", func(m *Manifests) { m.Services[0].Spec.Ports[0].TargetPort = intstr.FromString("web") }, `targetPort "web"`},
		{"Deployment selector mismatch", func(m *Manifests) {
			m.Deployments[0].Spec.Selector.MatchLabels["app.kubernetes.io/component"] = "other"
		}, "does not match the template's labels"},
		{"PodMonitor port missing", func(m *Manifests) { m.PodMonitors[0].Spec.PodMetricsEndpoints[0].Port = ptr.To("prom") }, `port "prom" is not a container port`},
		{"PodMonitor selects nothing", func(m *Manifests) { m.PodMonitors[0].Spec.Selector.MatchLabels["x"] = "y" }, "matches no pod template"},
		{"scrape annotation disagrees", func(m *Manifests) { shards(m).Spec.Template.Annotations["prometheus.io/port"] = "9090" }, "annotates prometheus.io/port 9090"},
		{"secret in args", func(m *Manifests) {
			c := &shardPod(m).Containers[0]
			c.Args = append(c.Args, "--secret="+string(m.Secrets[0].Data["secret"]))
		}, "holds a Secret's value"},
		{"secret as a plain env value", func(m *Manifests) {
			c := &shardPod(m).Containers[0]
			c.Env = append(c.Env, corev1.EnvVar{Name: "HMAC_SECRET", Value: "x"})
		}, "a secret must come from a secretKeyRef"},
		{"secret through envFrom", func(m *Manifests) {
			c := &shardPod(m).Containers[0]
			c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: m.Secrets[0].Name}}})
		}, "envFrom a Secret"},
		{"secret as a volume", func(m *Manifests) {
			p := shardPod(m)
			p.Volumes = append(p.Volumes, corev1.Volume{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: m.Secrets[0].Name}}})
		}, "only through secretKeyRef"},
		{"secretKeyRef to a missing key", func(m *Manifests) {
			shardPod(m).Containers[0].Env[3].ValueFrom.SecretKeyRef.Key = "hmac"
		}, `has no key "hmac"`},
		{"configMapKeyRef to a missing key", func(m *Manifests) {
			shardPod(m).Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Key = "shard"
		}, `has no key "shard"`},
		{"undefined $(VAR)", func(m *Manifests) {
			c := &shardPod(m).Containers[0]
			c.Args = append(c.Args, "--run-id=$(RUN_ID)")
		}, "refers to $(RUN_ID)"},
		{"image without a tag", func(m *Manifests) { shardPod(m).Containers[0].Image = "loadgen" }, "no tag or digest"},
		{"mount of a missing volume", func(m *Manifests) {
			c := &shardPod(m).Containers[0]
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: "/data"})
		}, "volumeMount data: no such volume"},
		{"bad label value", func(m *Manifests) { shards(m).Spec.Template.Labels["shard"] = "0/4" }, `label shard="0/4"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustRender(t, "overlays/kind")
			m.PodMonitors = mustRender(t, "testdata/all-components").PodMonitors
			for _, pm := range m.PodMonitors {
				pm.Namespace = "loadgen"
			}
			if errs := Check(m, CheckOptions{}); len(errs) > 0 {
				t.Fatalf("before the break: %v", errs)
			}
			tc.break_(m)
			errs := Check(m, CheckOptions{})
			for _, err := range errs {
				if strings.Contains(err.Error(), tc.want) {
					return
				}
			}
			t.Errorf("Check found %v, want a problem containing %q", errs, tc.want)
		})
	}
}
