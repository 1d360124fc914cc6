package k8s

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// CheckOptions tell Check what exists in the cluster beside the manifests.
type CheckOptions struct {
	// ExternalSecrets are Secrets created outside the kustomization (with
	// kubectl), which secretKeyRefs may name.
	ExternalSecrets []string
}

// Check returns every problem in m that the API server, the Job controller
// or the kubelet would meet, and every break of loadgen's own rules: the
// HMAC secret reaches a pod only through a secretKeyRef env var; the run's
// N is the same in the loadgen-run ConfigMap and the shard Job.
func Check(m *Manifests, o CheckOptions) []error {
	c := &checker{m: m, external: o.ExternalSecrets}
	c.objectNames()
	for _, j := range m.Jobs {
		c.job(j)
	}
	for _, d := range m.Deployments {
		c.selects("Deployment "+d.Name, d.Spec.Selector, d.Spec.Template.Labels)
	}
	for _, p := range c.pods() {
		c.pod(p)
	}
	for _, s := range m.Services {
		c.service(s)
	}
	for _, pm := range m.PodMonitors {
		c.podMonitor(pm.Name, pm.Namespace, &pm.Spec.Selector, portNames(pm.Spec.PodMetricsEndpoints))
	}
	c.secretsStaySecret()
	c.shardCount()
	return c.errs
}

type checker struct {
	m        *Manifests
	external []string
	errs     []error
}

func (c *checker) addf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// podTemplate is a pod template and the object that owns it.
type podTemplate struct {
	owner   string // e.g. "Job loadgen-shards"
	ns      string
	indexed bool // an Indexed Job's pod: JOB_COMPLETION_INDEX is set
	tmpl    *corev1.PodTemplateSpec
}

func (c *checker) pods() []podTemplate {
	var ps []podTemplate
	for _, j := range c.m.Jobs {
		indexed := j.Spec.CompletionMode != nil && *j.Spec.CompletionMode == batchv1.IndexedCompletion
		ps = append(ps, podTemplate{"Job " + j.Name, j.Namespace, indexed, &j.Spec.Template})
	}
	for _, d := range c.m.Deployments {
		ps = append(ps, podTemplate{"Deployment " + d.Name, d.Namespace, false, &d.Spec.Template})
	}
	return ps
}

// objectNames checks names, namespaces and labels as the API server does.
func (c *checker) objectNames() {
	each := func(kind string, om *metav1.ObjectMeta) {
		check := validation.IsDNS1123Subdomain
		switch kind {
		case "Service", "Namespace":
			check = validation.IsDNS1123Label // Services: RFC 1035 label since 1.x; stricter still below
		case "Job":
			check = validation.IsValidLabelValue // the controller labels its pods job-name=NAME
		}
		for _, msg := range check(om.Name) {
			c.addf("%s %q: name: %s", kind, om.Name, msg)
		}
		if kind == "Service" {
			for _, msg := range validation.IsDNS1035Label(om.Name) {
				c.addf("Service %q: name: %s", om.Name, msg)
			}
		}
		c.labels(kind+" "+om.Name, om.Labels)
	}
	for _, o := range c.m.Namespaces {
		each("Namespace", &o.ObjectMeta)
	}
	for _, o := range c.m.ConfigMaps {
		each("ConfigMap", &o.ObjectMeta)
	}
	for _, o := range c.m.Secrets {
		each("Secret", &o.ObjectMeta)
	}
	for _, o := range c.m.PVCs {
		each("PersistentVolumeClaim", &o.ObjectMeta)
	}
	for _, o := range c.m.Services {
		each("Service", &o.ObjectMeta)
	}
	for _, o := range c.m.Deployments {
		each("Deployment", &o.ObjectMeta)
	}
	for _, o := range c.m.Jobs {
		each("Job", &o.ObjectMeta)
	}
	for _, o := range c.m.PodMonitors {
		each("PodMonitor", &o.ObjectMeta)
	}
}

func (c *checker) labels(owner string, ls map[string]string) {
	for k, v := range ls {
		for _, msg := range validation.IsQualifiedName(k) {
			c.addf("%s: label key %q: %s", owner, k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(v) {
			c.addf("%s: label %s=%q: %s", owner, k, v, msg)
		}
	}
}

// job checks a Job's spec as the API server's validation does.
func (c *checker) job(j *batchv1.Job) {
	name := "Job " + j.Name
	s := &j.Spec
	indexed := s.CompletionMode != nil && *s.CompletionMode == batchv1.IndexedCompletion
	if indexed && s.Completions == nil {
		c.addf("%s: completionMode Indexed needs completions", name)
	}
	if s.Completions != nil && s.Parallelism != nil && *s.Parallelism > *s.Completions {
		c.addf("%s: parallelism %d > completions %d", name, *s.Parallelism, *s.Completions)
	}
	for field, v := range map[string]*int32{"completions": s.Completions, "parallelism": s.Parallelism,
		"backoffLimit": s.BackoffLimit, "backoffLimitPerIndex": s.BackoffLimitPerIndex, "maxFailedIndexes": s.MaxFailedIndexes} {
		if v != nil && *v < 0 {
			c.addf("%s: %s %d must be ≥ 0", name, field, *v)
		}
	}
	if s.BackoffLimitPerIndex != nil && !indexed {
		c.addf("%s: backoffLimitPerIndex needs completionMode Indexed", name)
	}
	if s.MaxFailedIndexes != nil && s.BackoffLimitPerIndex == nil {
		c.addf("%s: maxFailedIndexes needs backoffLimitPerIndex", name)
	}
	if rp := s.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
		c.addf("%s: restartPolicy %q: a Job's pods need Never or OnFailure", name, rp)
	}
	if s.ManualSelector != nil && *s.ManualSelector {
		c.selects(name, s.Selector, s.Template.Labels)
	} else if s.Selector != nil {
		c.addf("%s: selector is set without manualSelector: the API server generates it and rejects this one", name)
	}
	if s.TTLSecondsAfterFinished != nil && *s.TTLSecondsAfterFinished < 0 {
		c.addf("%s: ttlSecondsAfterFinished must be ≥ 0", name)
	}
}

// selects checks that a workload's selector is valid and matches its own
// pod template's labels (the API server rejects it otherwise).
func (c *checker) selects(owner string, sel *metav1.LabelSelector, podLabels map[string]string) {
	if sel == nil {
		c.addf("%s: selector is required", owner)
		return
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		c.addf("%s: selector: %v", owner, err)
		return
	}
	if s.Empty() || !s.Matches(labels.Set(podLabels)) {
		c.addf("%s: selector %s does not match the template's labels %v", owner, s, podLabels)
	}
}

// pod checks a pod template: containers, ports, images, volumes, env
// references and $(VAR) expansion.
func (c *checker) pod(p podTemplate) {
	spec := &p.tmpl.Spec
	c.labels(p.owner+" template", p.tmpl.Labels)
	vols := map[string]*corev1.Volume{}
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		vols[v.Name] = v
		switch {
		case v.ConfigMap != nil && !c.hasConfigMap(v.ConfigMap.Name) && !isTrue(v.ConfigMap.Optional):
			c.addf("%s: volume %s: no ConfigMap %q", p.owner, v.Name, v.ConfigMap.Name)
		case v.PersistentVolumeClaim != nil && !c.hasPVC(v.PersistentVolumeClaim.ClaimName):
			c.addf("%s: volume %s: no PersistentVolumeClaim %q", p.owner, v.Name, v.PersistentVolumeClaim.ClaimName)
		case v.Secret != nil, v.Projected != nil:
			c.addf("%s: volume %s: secrets reach loadgen's pods only through secretKeyRef env vars", p.owner, v.Name)
		}
	}
	names := map[string]bool{}
	portNames := map[string]bool{}
	for i := range spec.Containers {
		ct := &spec.Containers[i]
		who := fmt.Sprintf("%s container %s", p.owner, ct.Name)
		for _, msg := range validation.IsDNS1123Label(ct.Name) {
			c.addf("%s: name: %s", who, msg)
		}
		if names[ct.Name] {
			c.addf("%s: duplicate container name", who)
		}
		names[ct.Name] = true
		if !hasTagOrDigest(ct.Image) {
			c.addf("%s: image %q has no tag or digest (an overlay's images: sets it)", who, ct.Image)
		}
		for _, port := range ct.Ports {
			if port.Name != "" {
				for _, msg := range validation.IsValidPortName(port.Name) {
					c.addf("%s: port name %q: %s", who, port.Name, msg)
				}
				if portNames[port.Name] {
					c.addf("%s: duplicate port name %q in the pod", who, port.Name)
				}
				portNames[port.Name] = true
			}
			for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
				c.addf("%s: containerPort %d: %s", who, port.ContainerPort, msg)
			}
		}
		for _, m := range ct.VolumeMounts {
			if vols[m.Name] == nil {
				c.addf("%s: volumeMount %s: no such volume", who, m.Name)
			}
		}
		for _, pr := range []*corev1.Probe{ct.ReadinessProbe, ct.LivenessProbe, ct.StartupProbe} {
			if pr != nil && pr.HTTPGet != nil && pr.HTTPGet.Port.StrVal != "" && !containerHasPort(ct, pr.HTTPGet.Port.StrVal) {
				c.addf("%s: probe port %q is not a port of the container", who, pr.HTTPGet.Port.StrVal)
			}
		}
		c.env(who, p.ns, ct, p.indexed)
	}
}

// env checks a container's environment and the $(VAR) references in its
// command and args.
func (c *checker) env(who, ns string, ct *corev1.Container, indexed bool) {
	defined := map[string]bool{}
	if indexed {
		defined["JOB_COMPLETION_INDEX"] = true // added by the Job controller
	}
	for _, e := range ct.Env {
		for _, msg := range validation.IsEnvVarName(e.Name) {
			c.addf("%s: env %s: %s", who, e.Name, msg)
		}
		defined[e.Name] = true
		if e.ValueFrom == nil {
			continue
		}
		if r := e.ValueFrom.ConfigMapKeyRef; r != nil && !isTrue(r.Optional) {
			if cm := c.configMap(r.Name); cm == nil {
				c.addf("%s: env %s: no ConfigMap %q", who, e.Name, r.Name)
			} else if _, ok := cm.Data[r.Key]; !ok {
				c.addf("%s: env %s: ConfigMap %q has no key %q", who, e.Name, r.Name, r.Key)
			}
		}
		if r := e.ValueFrom.SecretKeyRef; r != nil && !isTrue(r.Optional) {
			if s := c.secret(r.Name); s != nil {
				if _, ok := secretData(s)[r.Key]; !ok {
					c.addf("%s: env %s: Secret %q has no key %q", who, e.Name, r.Name, r.Key)
				}
			} else if !slices.Contains(c.external, r.Name) {
				c.addf("%s: env %s: no Secret %q in the manifests and none declared external", who, e.Name, r.Name)
			}
		}
	}
	for _, ef := range ct.EnvFrom {
		if ef.SecretRef != nil {
			c.addf("%s: envFrom a Secret: secrets reach loadgen's pods only through secretKeyRef env vars", who)
		}
	}
	for _, arg := range slices.Concat(ct.Command, ct.Args) {
		for _, ref := range References(arg) {
			if !defined[ref] {
				c.addf("%s: %q refers to $(%s), which is not an env var of the container (the kubelet would pass it on literally)", who, arg, ref)
			}
		}
	}
}

func (c *checker) service(s *corev1.Service) {
	name := "Service " + s.Name
	if len(s.Spec.Selector) == 0 {
		c.addf("%s: no selector", name)
		return
	}
	var matched []podTemplate
	for _, p := range c.pods() {
		if p.ns == s.Namespace && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(p.tmpl.Labels)) {
			matched = append(matched, p)
		}
	}
	if len(matched) == 0 {
		c.addf("%s: selector %v matches no pod template", name, s.Spec.Selector)
		return
	}
	for _, port := range s.Spec.Ports {
		if port.Name != "" {
			for _, msg := range validation.IsValidPortName(port.Name) {
				c.addf("%s: port name %q: %s", name, port.Name, msg)
			}
		}
		if tp := port.TargetPort.StrVal; tp != "" {
			for _, p := range matched {
				if !podHasPort(&p.tmpl.Spec, tp) {
					c.addf("%s: targetPort %q is not a port of %s", name, tp, p.owner)
				}
			}
		}
	}
}

// podMonitor checks that a PodMonitor selects pods and scrapes ports they
// have; the pods' prometheus.io/port annotation must agree.
func (c *checker) podMonitor(name, ns string, sel *metav1.LabelSelector, ports []string) {
	owner := "PodMonitor " + name
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		c.addf("%s: selector: %v", owner, err)
		return
	}
	matched := 0
	for _, p := range c.pods() {
		if p.ns != ns || s.Empty() || !s.Matches(labels.Set(p.tmpl.Labels)) {
			continue
		}
		matched++
		for _, port := range ports {
			num, ok := podPort(&p.tmpl.Spec, port)
			if !ok {
				c.addf("%s: port %q is not a container port of %s", owner, port, p.owner)
				continue
			}
			if a, set := p.tmpl.Annotations["prometheus.io/port"]; set && a != strconv.Itoa(int(num)) {
				c.addf("%s: %s annotates prometheus.io/port %s but port %q is %d", owner, p.owner, a, port, num)
			}
		}
	}
	if matched == 0 {
		c.addf("%s: selector %s matches no pod template", owner, s)
	}
}

// secretsStaySecret checks that no Secret's value appears anywhere but in
// the Secret: not in a ConfigMap, an env value, a command or args.
func (c *checker) secretsStaySecret() {
	var values []string
	for _, s := range c.m.Secrets {
		for _, v := range secretData(s) {
			if len(v) >= 4 {
				values = append(values, v)
			}
		}
	}
	leaks := func(where, text string) {
		for _, v := range values {
			if strings.Contains(text, v) {
				c.addf("%s holds a Secret's value", where)
			}
		}
	}
	for _, cm := range c.m.ConfigMaps {
		for k, v := range cm.Data {
			leaks(fmt.Sprintf("ConfigMap %s key %s", cm.Name, k), v)
		}
	}
	for _, p := range c.pods() {
		for _, ct := range p.tmpl.Spec.Containers {
			who := fmt.Sprintf("%s container %s", p.owner, ct.Name)
			leaks(who+" command/args", strings.Join(slices.Concat(ct.Command, ct.Args), " "))
			for _, e := range ct.Env {
				leaks(who+" env "+e.Name, e.Value)
				if strings.Contains(strings.ToUpper(e.Name), "SECRET") && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
					c.addf("%s: env %s: a secret must come from a secretKeyRef", who, e.Name)
				}
			}
		}
	}
}

// shardCount checks that N is the same in the loadgen-run ConfigMap and in
// the Indexed shard Job's completions and parallelism: the start barrier
// opens only when all N shards run at once.
func (c *checker) shardCount() {
	for _, j := range c.m.Jobs {
		if j.Spec.CompletionMode == nil || *j.Spec.CompletionMode != batchv1.IndexedCompletion {
			continue
		}
		if j.Spec.Completions == nil || j.Spec.Parallelism == nil || *j.Spec.Parallelism != *j.Spec.Completions {
			c.addf("Job %s: the shards need parallelism = completions (all N run at once for the start barrier)", j.Name)
			continue
		}
		cm := c.m.ConfigMap("loadgen-run")
		if cm == nil {
			continue
		}
		if n := cm.Data["shards"]; n != strconv.Itoa(int(*j.Spec.Completions)) {
			c.addf("Job %s: completions %d but ConfigMap %s says shards=%s (include the shard-count component)", j.Name, *j.Spec.Completions, cm.Name, n)
		}
	}
}

func (c *checker) configMap(name string) *corev1.ConfigMap {
	for _, cm := range c.m.ConfigMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

func (c *checker) hasConfigMap(name string) bool { return c.configMap(name) != nil }

func (c *checker) secret(name string) *corev1.Secret {
	for _, s := range c.m.Secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (c *checker) hasPVC(name string) bool {
	return slices.ContainsFunc(c.m.PVCs, func(p *corev1.PersistentVolumeClaim) bool { return p.Name == name })
}

// secretData returns a Secret's values, from data and stringData.
func secretData(s *corev1.Secret) map[string]string {
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	for k, v := range s.StringData {
		out[k] = v
	}
	return out
}

// portNames returns the port names a PodMonitor scrapes; an endpoint
// without one is reported as "" (which no container port is named).
func portNames(eps []monitoringv1.PodMetricsEndpoint) []string {
	var names []string
	for _, e := range eps {
		if e.Port != nil {
			names = append(names, *e.Port)
		} else {
			names = append(names, "")
		}
	}
	return names
}

func podHasPort(spec *corev1.PodSpec, name string) bool {
	_, ok := podPort(spec, name)
	return ok
}

func podPort(spec *corev1.PodSpec, name string) (int32, bool) {
	for i := range spec.Containers {
		for _, p := range spec.Containers[i].Ports {
			if p.Name == name {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}

func containerHasPort(ct *corev1.Container, name string) bool {
	return slices.ContainsFunc(ct.Ports, func(p corev1.ContainerPort) bool { return p.Name == name })
}

// hasTagOrDigest reports whether an image reference names a tag or digest.
func hasTagOrDigest(image string) bool {
	if strings.Contains(image, "@") {
		return true
	}
	last := image[strings.LastIndex(image, "/")+1:]
	return strings.Contains(last, ":")
}

func isTrue(b *bool) bool { return b != nil && *b }
