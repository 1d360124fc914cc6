// Package k8s renders loadgen's Kubernetes manifests (the kustomizations in
// this directory) and checks them as the API server would.
//
// Render builds a kustomization with sigs.k8s.io/kustomize/api, the library
// inside `kubectl kustomize`, and decodes every object strictly into its
// typed Kubernetes or prometheus-operator struct: an unknown or misspelled
// field, or a value of the wrong type, is an error (kubectl kustomize alone
// passes them silently). Check then applies the rules the API server and
// the kubelet would, and loadgen's own (the Secret reaches a pod only
// through secretKeyRef; N is the same everywhere).
//
// The package lives in its own module (deploy/go.mod), so the Kubernetes
// libraries never become dependencies of the loadgen binary. Its tests also
// run the rendered manifests as local processes (emulator_test.go).
package k8s
