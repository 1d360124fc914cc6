package k8s

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/loadgen/loadgen/internal/testutil"
)

// cluster runs rendered manifests' pods as local processes of the loadgen
// binary, doing on loopback what Kubernetes would do:
//
//   - env: value (with $(VAR) of earlier vars), configMapKeyRef and
//     secretKeyRef from the rendered ConfigMaps and Secrets, fieldRef to the
//     pod's name, namespace and completion index, and JOB_COMPLETION_INDEX
//     appended to an Indexed Job's containers, as the Job controller does;
//     command and args expanded with Expand, as the kubelet does;
//   - volumes: a ConfigMap's keys as files in a directory, a PVC and an
//     emptyDir as directories; an argument under a mountPath is rewritten
//     to the directory, and an emptyDir at /tmp becomes TMPDIR;
//   - network: every pod's listen address ":PORT" (a container port) is
//     rewritten to a loopback port of its own, and a Service's DNS name in
//     an argument or env value (http://NAME[.NS[.svc[.cluster.local]]]:PORT)
//     to the loopback port of the pod behind it.
//
// What it cannot show: scheduling, admission, image pulls, DNS, kube-proxy,
// node clocks, resource limits. Those need a real cluster.
type cluster struct {
	t     *testing.T
	m     *Manifests
	bin   string
	root  string
	ns    string
	ports map[string]string // "service:port" → 127.0.0.1:P
	dirs  map[string]string // "configmap/NAME" or "pvc/NAME" → host directory
	procs []*pod            // started, for cleanup
}

// pod is one emulated pod's process.
type pod struct {
	name   string
	cmd    *exec.Cmd
	out    testutil.SyncBuffer // stdout and stderr
	done   chan struct{}
	exit   int
	listen map[int32]string // container port → 127.0.0.1:P
	scrape string           // metrics URL from the prometheus.io/* annotations, "" if none

	mu      sync.Mutex // guards scraped
	scraped string     // the last metrics scraped
}

func newCluster(t *testing.T, m *Manifests, bin string) *cluster {
	c := &cluster{t: t, m: m, bin: bin, root: t.TempDir(), ports: map[string]string{}, dirs: map[string]string{}}
	if len(m.Namespaces) > 0 {
		c.ns = m.Namespaces[0].Name
	}
	for _, cm := range m.ConfigMaps {
		dir := filepath.Join(c.root, "configmap", cm.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for k, v := range cm.Data {
			if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		c.dirs["configmap/"+cm.Name] = dir
	}
	for _, pvc := range m.PVCs {
		dir := filepath.Join(c.root, "pvc", pvc.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		c.dirs["pvc/"+pvc.Name] = dir
	}
	for _, s := range m.Services {
		for _, p := range s.Spec.Ports {
			c.ports[s.Name+":"+strconv.Itoa(int(p.Port))] = testutil.FreeAddr(t)
		}
	}
	t.Cleanup(c.stopAll)
	return c
}

// job returns the Job named name.
func (c *cluster) job(name string) *batchv1.Job {
	for _, j := range c.m.Jobs {
		if j.Name == name {
			return j
		}
	}
	c.t.Fatalf("no Job %s in the manifests", name)
	return nil
}

// startJob starts one pod of Job name; index is its completion index (an
// Indexed Job's), ignored otherwise. edit, if not nil, may change the pod's
// files before it starts (see editFile).
func (c *cluster) startJob(name string, index int, edit func(p *podFiles)) *pod {
	podName, tmpl, index := c.jobPod(name, index)
	return c.start(podName, tmpl, index, edit)
}

// jobPod names a pod of Job name and returns its template and index (-1
// unless the Job is Indexed).
func (c *cluster) jobPod(name string, index int) (string, *corev1.PodTemplateSpec, int) {
	j := c.job(name)
	if j.Spec.CompletionMode == nil || *j.Spec.CompletionMode != batchv1.IndexedCompletion {
		return name + "-" + randSuffix(), &j.Spec.Template, -1
	}
	return fmt.Sprintf("%s-%d-%s", name, index, randSuffix()), &j.Spec.Template, index
}

// startDeployment starts one replica of Deployment name.
func (c *cluster) startDeployment(name string) *pod {
	for _, d := range c.m.Deployments {
		if d.Name == name {
			return c.start(name+"-"+randSuffix(), &d.Spec.Template, -1, nil)
		}
	}
	c.t.Fatalf("no Deployment %s in the manifests", name)
	return nil
}

// podFiles are an emulated pod's volumes, before it starts.
type podFiles struct {
	mounts map[string]string // mountPath → host directory
}

// editFile replaces a file under a mount path with content, in this pod
// only (its ConfigMap volume is copied first).
func (p *podFiles) editFile(t *testing.T, path, content string) {
	for mp, dir := range p.mounts {
		if rel, ok := strings.CutPrefix(path, mp+"/"); ok {
			if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s is under no mount", path)
}

// start makes tmpl's single container a process and starts it.
func (c *cluster) start(podName string, tmpl *corev1.PodTemplateSpec, index int, edit func(*podFiles)) *pod {
	p := c.prepare(podName, tmpl, index, edit)
	if err := p.cmd.Start(); err != nil {
		c.t.Fatalf("%s: %v", podName, err)
	}
	c.procs = append(c.procs, p)
	go func() {
		p.cmd.Wait()
		p.exit = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	if p.scrape != "" {
		go p.scrapeLoop()
	}
	return p
}

// scrapeLoop scrapes the pod's metrics every scrapeInterval until it
// exits, keeping the last answer, as Prometheus would with the pod's
// prometheus.io/* annotations (or the PodMonitor, on the same port).
func (p *pod) scrapeLoop() {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-p.done:
			return
		case <-time.After(scrapeInterval):
		}
		resp, err := client.Get(p.scrape)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			p.mu.Lock()
			p.scraped = string(b)
			p.mu.Unlock()
		}
	}
}

// scrapeInterval is the emulated Prometheus's scrape interval.
const scrapeInterval = 250 * time.Millisecond

// lastScrape returns the last metrics scraped from the pod.
func (p *pod) lastScrape() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.scraped
}

// prepare makes tmpl's single container a process, not started.
func (c *cluster) prepare(podName string, tmpl *corev1.PodTemplateSpec, index int, edit func(*podFiles)) *pod {
	t := c.t
	spec := &tmpl.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers; the emulator runs pods of one", podName, len(spec.Containers))
	}
	ct := &spec.Containers[0]
	p := &pod{name: podName, done: make(chan struct{}), listen: map[int32]string{}}
	podDir := filepath.Join(c.root, "pods", podName)

	// Volumes. A pod's ConfigMap volume is its own copy, so a test may
	// change one pod's files (a pod that mounted another version).
	files := &podFiles{mounts: map[string]string{}}
	var env []string
	for _, m := range ct.VolumeMounts {
		v := volume(spec, m.Name)
		var dir string
		switch {
		case v.ConfigMap != nil:
			dir = filepath.Join(podDir, "volumes", m.Name)
			copyDir(t, c.dirs["configmap/"+v.ConfigMap.Name], dir)
		case v.PersistentVolumeClaim != nil:
			dir = c.dirs["pvc/"+v.PersistentVolumeClaim.ClaimName]
		case v.EmptyDir != nil:
			dir = filepath.Join(podDir, "volumes", m.Name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if m.MountPath == "/tmp" {
				env = append(env, "TMPDIR="+dir)
			}
		default:
			t.Fatalf("%s: volume %s: the emulator knows ConfigMap, PVC and emptyDir volumes", podName, m.Name)
		}
		files.mounts[m.MountPath] = dir
	}
	if edit != nil {
		edit(files)
	}

	// Network: this pod's container ports on loopback ports of its own,
	// or of the Service in front of it.
	for _, cp := range ct.Ports {
		p.listen[cp.ContainerPort] = c.serviceAddr(tmpl, cp)
	}
	if a := tmpl.Annotations; a["prometheus.io/scrape"] == "true" {
		port, _ := strconv.Atoi(a["prometheus.io/port"])
		if addr, ok := p.listen[int32(port)]; ok {
			p.scrape = "http://" + addr + cmp.Or(a["prometheus.io/path"], "/metrics")
		}
	}

	// Environment, in order, as the kubelet builds it.
	vars := map[string]string{}
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	define := func(name, value string) {
		vars[name] = value
		env = append(env, name+"="+value)
	}
	for _, e := range ct.Env {
		define(e.Name, c.rewrite(c.envValue(podName, index, e, lookup), files, p))
	}
	if index >= 0 {
		define("JOB_COMPLETION_INDEX", strconv.Itoa(index)) // appended by the Job controller
	}
	argv := slices.Concat(ct.Command, ct.Args)
	if len(ct.Command) == 0 {
		argv = slices.Concat([]string{"loadgen"}, ct.Args) // the image's entrypoint
	}
	for i, a := range argv {
		argv[i] = c.rewrite(Expand(a, lookup), files, p)
	}
	if base := filepath.Base(argv[0]); base != "loadgen" {
		t.Fatalf("%s: command %q: the emulator runs loadgen only", podName, argv[0])
	}
	home := filepath.Join(podDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(c.bin, argv[1:]...)
	p.cmd.Env = append(env, "PATH=/usr/bin:/bin", "HOME="+home)
	p.cmd.Dir = home
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	return p
}

// envValue resolves one env var as the kubelet would.
func (c *cluster) envValue(podName string, index int, e corev1.EnvVar, lookup func(string) (string, bool)) string {
	t := c.t
	if e.ValueFrom == nil {
		return Expand(e.Value, lookup) // refers to earlier vars only
	}
	switch f := e.ValueFrom; {
	case f.ConfigMapKeyRef != nil:
		for _, cm := range c.m.ConfigMaps {
			if cm.Name == f.ConfigMapKeyRef.Name {
				if v, ok := cm.Data[f.ConfigMapKeyRef.Key]; ok {
					return v
				}
			}
		}
		t.Fatalf("%s: env %s: no ConfigMap key %s/%s", podName, e.Name, f.ConfigMapKeyRef.Name, f.ConfigMapKeyRef.Key)
	case f.SecretKeyRef != nil:
		for _, s := range c.m.Secrets {
			if s.Name == f.SecretKeyRef.Name {
				if v, ok := secretData(s)[f.SecretKeyRef.Key]; ok {
					return v
				}
			}
		}
		t.Fatalf("%s: env %s: no Secret key %s/%s", podName, e.Name, f.SecretKeyRef.Name, f.SecretKeyRef.Key)
	case f.FieldRef != nil:
		switch path := f.FieldRef.FieldPath; path {
		case "metadata.name":
			return podName
		case "metadata.namespace":
			return c.ns
		case "metadata.annotations['batch.kubernetes.io/job-completion-index']", "metadata.labels['batch.kubernetes.io/job-completion-index']":
			return strconv.Itoa(index)
		default:
			t.Fatalf("%s: env %s: field %s is not emulated", podName, e.Name, path)
		}
	}
	t.Fatalf("%s: env %s: this valueFrom is not emulated", podName, e.Name)
	return ""
}

var (
	listenArg  = regexp.MustCompile(`^(.*=)?(0\.0\.0\.0)?:(\d+)$`)
	serviceURL = regexp.MustCompile(`(https?)://([a-z0-9-]+)(\.[a-z0-9-]+(\.svc(\.cluster\.local)?)?)?:(\d+)`)
)

// rewrite maps a value seen inside the pod to this machine: a listen
// address on a container port, a Service URL, a path under a mount.
func (c *cluster) rewrite(v string, files *podFiles, p *pod) string {
	if m := listenArg.FindStringSubmatch(v); m != nil {
		port, _ := strconv.Atoi(m[3])
		if addr, ok := p.listen[int32(port)]; ok {
			return m[1] + addr
		}
	}
	v = serviceURL.ReplaceAllStringFunc(v, func(u string) string {
		m := serviceURL.FindStringSubmatch(u)
		if m[3] != "" && strings.Split(m[3][1:], ".")[0] != c.ns {
			return u // another namespace's Service
		}
		if addr, ok := c.ports[m[2]+":"+m[6]]; ok {
			return m[1] + "://" + addr
		}
		return u
	})
	flag, path := "", v
	if strings.HasPrefix(v, "-") { // --flag=/mount/path
		if i := strings.IndexByte(v, '='); i >= 0 {
			flag, path = v[:i+1], v[i+1:]
		}
	}
	for mp, dir := range files.mounts {
		if path == mp {
			return flag + dir
		}
		if rest, ok := strings.CutPrefix(path, mp+"/"); ok {
			return flag + filepath.Join(dir, rest)
		}
	}
	return v
}

// serviceAddr returns the loopback address a container port listens on:
// that of the Service selecting the pod with this target port, else one of
// its own.
func (c *cluster) serviceAddr(tmpl *corev1.PodTemplateSpec, cp corev1.ContainerPort) string {
	for _, s := range c.m.Services {
		if !labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(tmpl.Labels)) {
			continue
		}
		for _, sp := range s.Spec.Ports {
			if (sp.TargetPort.StrVal != "" && sp.TargetPort.StrVal == cp.Name) || sp.TargetPort.IntVal == cp.ContainerPort {
				return c.ports[s.Name+":"+strconv.Itoa(int(sp.Port))]
			}
		}
	}
	return testutil.FreeAddr(c.t)
}

// wait waits for p to exit, at most d, and returns its exit code.
func (p *pod) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.exit
	case <-time.After(d):
		t.Fatalf("%s did not exit within %v; its output:\n%s", p.name, d, p.out.String())
		return -1
	}
}

// kill sends SIGKILL, as a node failure or an OOM kill would.
func (p *pod) kill() { p.cmd.Process.Signal(syscall.SIGKILL) }

func (c *cluster) stopAll() {
	for _, p := range c.procs {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	if c.t.Failed() {
		for _, p := range c.procs {
			c.t.Logf("--- %s (exit %d):\n%s", p.name, p.exit, p.out.String())
		}
	}
}

// waitListening waits until addr accepts connections.
func waitListening(ctx context.Context, t *testing.T, addr string) {
	t.Helper()
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: nothing listens: %v", addr, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func volume(spec *corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return &corev1.Volume{}
}

func copyDir(t *testing.T, from, to string) {
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var suffixes atomic.Int64

// randSuffix names pods apart, as the Job controller's random suffix does.
func randSuffix() string { return fmt.Sprintf("p%03d", suffixes.Add(1)) }
