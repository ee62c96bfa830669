//go:build tools

// Package tools pins Prometheus' promtool at the version kube-prometheus-stack 88.5.3 ships
// (prometheus v3.14.0 = Go module v0.314.0), built from the Go module proxy.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
