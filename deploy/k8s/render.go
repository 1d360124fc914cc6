package k8s

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Manifests are the objects of a rendered kustomization, each decoded into
// its typed struct, in the order kustomize emitted them.
type Manifests struct {
	Namespaces  []*corev1.Namespace
	ConfigMaps  []*corev1.ConfigMap
	Secrets     []*corev1.Secret
	PVCs        []*corev1.PersistentVolumeClaim
	Services    []*corev1.Service
	Deployments []*appsv1.Deployment
	Jobs        []*batchv1.Job
	PodMonitors []*monitoringv1.PodMonitor
}

// Render builds the kustomization in dir, as `kubectl kustomize dir` does,
// and decodes every object strictly (see Decode).
func Render(dir string) (*Manifests, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("k8s: kustomize %s: %w", dir, err)
	}
	m := &Manifests{}
	var errs []error
	for _, r := range rm.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			errs = append(errs, fmt.Errorf("k8s: %s %s: %w", r.GetKind(), r.GetName(), err))
			continue
		}
		if err := m.Decode(b); err != nil {
			errs = append(errs, err)
		}
	}
	return m, errors.Join(errs...)
}

// kinds maps "apiVersion/kind" to a strict decoder that appends to Manifests.
var kinds = map[string]func(m *Manifests, b []byte) error{
	"v1/Namespace":             decodeInto(func(m *Manifests) *[]*corev1.Namespace { return &m.Namespaces }),
	"v1/ConfigMap":             decodeInto(func(m *Manifests) *[]*corev1.ConfigMap { return &m.ConfigMaps }),
	"v1/Secret":                decodeInto(func(m *Manifests) *[]*corev1.Secret { return &m.Secrets }),
	"v1/PersistentVolumeClaim": decodeInto(func(m *Manifests) *[]*corev1.PersistentVolumeClaim { return &m.PVCs }),
	"v1/Service":               decodeInto(func(m *Manifests) *[]*corev1.Service { return &m.Services }),
	"apps/v1/Deployment":       decodeInto(func(m *Manifests) *[]*appsv1.Deployment { return &m.Deployments }),
	"batch/v1/Job":             decodeInto(func(m *Manifests) *[]*batchv1.Job { return &m.Jobs }),
	"monitoring.coreos.com/v1/PodMonitor": decodeInto(func(m *Manifests) *[]*monitoringv1.PodMonitor {
		return &m.PodMonitors
	}),
}

// Decode decodes one object (JSON) strictly into its typed struct and adds
// it to m. Strictly means as `kubectl apply` with server-side field
// validation Strict (its default since Kubernetes 1.27): field names are
// case-sensitive, and an unknown or duplicated field or a value of the
// wrong type is an error. A kind this package does not know is an error too.
func (m *Manifests) Decode(b []byte) error {
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.UnmarshalCaseSensitivePreserveInts(b, &tm); err != nil {
		return fmt.Errorf("k8s: not an object: %w", err)
	}
	decode, ok := kinds[tm.APIVersion+"/"+tm.Kind]
	if !ok {
		known := make([]string, 0, len(kinds))
		for k := range kinds {
			known = append(known, k)
		}
		slices.Sort(known)
		return fmt.Errorf("k8s: %s %q: unknown kind %s (known: %v)", tm.Kind, tm.Metadata.Name, tm.APIVersion+"/"+tm.Kind, known)
	}
	if err := decode(m, b); err != nil {
		return fmt.Errorf("k8s: %s %q: %w", tm.Kind, tm.Metadata.Name, err)
	}
	return nil
}

// decodeInto returns a decoder that strictly decodes into a new T and
// appends it to the list field picks.
func decodeInto[T any](field func(*Manifests) *[]*T) func(*Manifests, []byte) error {
	return func(m *Manifests, b []byte) error {
		v := new(T)
		if err := strictUnmarshal(b, v); err != nil {
			return err
		}
		list := field(m)
		*list = append(*list, v)
		return nil
	}
}

// strictUnmarshal decodes b into v as the API server's strict field
// validation does (sigs.k8s.io/json, the decoder apimachinery uses).
func strictUnmarshal(b []byte, v any) error {
	strict, err := json.UnmarshalStrict(bytes.TrimSpace(b), v, json.DisallowUnknownFields, json.DisallowDuplicateFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// ConfigMap returns the ConfigMap named name, or generated as name (with
// kustomize's hash suffix); nil if there is none.
func (m *Manifests) ConfigMap(name string) *corev1.ConfigMap {
	for _, cm := range m.ConfigMaps {
		if cm.Name == name {
			return cm
		}
	}
	for _, cm := range m.ConfigMaps {
		if strings.HasPrefix(cm.Name, name+"-") {
			return cm
		}
	}
	return nil
}
