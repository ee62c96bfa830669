// Command templatecheck renders Go templates as ArgoCD's ApplicationSet controller does:
// Go's text/template with Sprig v3's generic functions, less the three ArgoCD removes
// (env, expandenv, getHostByName), with the goTemplateOptions applied as template options.
//
// It reads one JSON case a line on stdin, {"template": "...", "data": <json>, "options": [...]},
// and writes one JSON line per case: {"output": "..."} or {"error": "...", "class": "parse"|"exec"}.
// The data is decoded with encoding/json, so numbers are float64, as ArgoCD's generator
// parameters are. ArgoCD's own additions (normalize, slugify, toYaml, fromYaml, fromYamlArray)
// are not here: they live in ArgoCD's module, not in Sprig.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type testCase struct {
	Template string   `json:"template"`
	Data     any      `json:"data"`
	Options  []string `json:"options"`
}

type verdict struct {
	Output *string `json:"output,omitempty"`
	Error  string  `json:"error,omitempty"`
	Class  string  `json:"class,omitempty"`
}

func funcs() template.FuncMap {
	m := sprig.GenericFuncMap()
	for _, name := range []string{"env", "expandenv", "getHostByName"} {
		delete(m, name)
	}
	return template.FuncMap(m)
}

// render parses and executes one case; a panic (a bad option) is an error of class "option".
func render(c testCase, fm template.FuncMap) (v verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = verdict{Error: fmt.Sprint(r), Class: "option"}
		}
	}()
	t := template.New("").Funcs(fm).Option(c.Options...)
	t, err := t.Parse(c.Template)
	if err != nil {
		return verdict{Error: err.Error(), Class: "parse"}
	}
	var out strings.Builder
	if err := t.Execute(&out, c.Data); err != nil {
		return verdict{Error: err.Error(), Class: "exec"}
	}
	s := out.String()
	return verdict{Output: &s}
}

func main() {
	fm := funcs()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "templatecheck: bad case:", err)
			os.Exit(2)
		}
		if err := enc.Encode(render(c, fm)); err != nil {
			fmt.Fprintln(os.Stderr, "templatecheck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "templatecheck:", err)
		os.Exit(2)
	}
}
