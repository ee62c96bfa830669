// Command stackcheck reads stack files with the Pulumi CLI's own loader (Pulumi Go SDK v3.272.0,
// sdk/go/common/workspace: LoadProject, then LoadProjectStack) and prints the config as the CLI
// hands it to a program: config.Map.Decrypt, each key "namespace:name" mapped to its string
// value (structured values as JSON), and SecureKeys. Encrypted values cannot be decrypted here,
// so a blinding decrypter stands in: each becomes "[secret]".
//
// One JSON case a line on stdin: {"project": "path/Pulumi.yaml", "stack": "path/Pulumi.<stack>.yaml"}.
// One JSON line out per case: {"config": {...}, "secret_keys": [...]} or {"error": "..."}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

type testCase struct {
	Project string `json:"project"`
	Stack   string `json:"stack"`
}

type verdict struct {
	Config     map[string]string `json:"config,omitempty"`
	SecretKeys []string          `json:"secret_keys,omitempty"`
	Error      string            `json:"error,omitempty"`
}

func load(c testCase, sink diag.Sink) (v verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = verdict{Error: fmt.Sprint("panic: ", r)}
		}
	}()
	project, err := workspace.LoadProject(c.Project)
	if err != nil {
		return verdict{Error: "project: " + err.Error()}
	}
	stack, err := workspace.LoadProjectStack(sink, project, c.Stack)
	if err != nil {
		return verdict{Error: err.Error()}
	}
	values, err := stack.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return verdict{Error: "decrypt: " + err.Error()}
	}
	v.Config = map[string]string{}
	for key, value := range values {
		v.Config[key.String()] = value
	}
	v.SecretKeys = []string{}
	for _, key := range stack.Config.SecureKeys() {
		v.SecretKeys = append(v.SecretKeys, key.String())
	}
	sort.Strings(v.SecretKeys)
	return v
}

func main() {
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	in := bufio.NewScanner(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "stackcheck: bad case:", err)
			os.Exit(2)
		}
		if err := enc.Encode(load(c, sink)); err != nil {
			fmt.Fprintln(os.Stderr, "stackcheck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "stackcheck:", err)
		os.Exit(2)
	}
}
