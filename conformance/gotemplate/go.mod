// Go's text/template with Sprig v3, as ArgoCD v3.4.4's ApplicationSet controller renders goTemplate.
// The go directive and every version below are ArgoCD v3.4.4's go.mod's (github.com/argoproj/argo-cd/v3
// v3.4.4, from the module proxy): Sprig and the libraries its functions call, at the versions
// ArgoCD's build selects.
module slipway.conformance/gotemplate

go 1.26.0

require github.com/Masterminds/sprig/v3 v3.3.0

require (
	dario.cat/mergo v1.0.2 // indirect
	github.com/Masterminds/goutils v1.1.1 // indirect
	github.com/Masterminds/semver/v3 v3.4.0 // indirect
	github.com/google/uuid v1.6.1-0.20241114170450-2d3c2a9cc518 // indirect
	github.com/huandu/xstrings v1.5.0 // indirect
	github.com/mitchellh/copystructure v1.2.0 // indirect
	github.com/mitchellh/reflectwalk v1.0.2 // indirect
	github.com/shopspring/decimal v1.4.0 // indirect
	github.com/spf13/cast v1.7.1 // indirect
	golang.org/x/crypto v0.49.0 // indirect
)
