// Command analysischeck judges measurements with Argo Rollouts v1.9.0's own evaluator
// (utils/evaluate.EvaluateResult), fed as the Prometheus provider feeds it: a scalar as float64,
// a vector (or matrix) as []float64 (metricproviders/prometheus/prometheus.go, processResponse).
//
// One JSON case a line on stdin: {"kind": "scalar"|"vector"|"bool", "values": ["0.5", "NaN", "+Inf"],
// "success": "...", "failure": "..."}; values are strconv.ParseFloat text, since JSON has no NaN.
// One JSON line out per case: {"phase": "Successful"|..., "error": "..."}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/utils/evaluate"
	"github.com/sirupsen/logrus"
)

type testCase struct {
	Kind    string   `json:"kind"`
	Values  []string `json:"values"`
	Success string   `json:"success"`
	Failure string   `json:"failure"`
}

type verdict struct {
	Phase string `json:"phase"`
	Error string `json:"error,omitempty"`
}

func result(c testCase) (any, error) {
	if c.Kind == "bool" {
		if len(c.Values) != 1 {
			return nil, fmt.Errorf("a bool has one value, got %d", len(c.Values))
		}
		return strconv.ParseBool(c.Values[0])
	}
	floats := make([]float64, 0, len(c.Values))
	for _, v := range c.Values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, err
		}
		floats = append(floats, f)
	}
	switch c.Kind {
	case "vector":
		return floats, nil
	case "scalar":
		if len(floats) != 1 {
			return nil, fmt.Errorf("a scalar has one value, got %d", len(floats))
		}
		return floats[0], nil
	}
	return nil, fmt.Errorf("unknown kind %q", c.Kind)
}

func main() {
	logCtx := *logrus.NewEntry(logrus.New())
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "analysischeck: bad case:", err)
			os.Exit(2)
		}
		value, err := result(c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "analysischeck:", err)
			os.Exit(2)
		}
		metric := v1alpha1.Metric{SuccessCondition: c.Success, FailureCondition: c.Failure}
		phase, err := evaluate.EvaluateResult(value, metric, logCtx)
		v := verdict{Phase: string(phase)}
		if err != nil {
			v.Error = err.Error()
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintln(os.Stderr, "analysischeck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "analysischeck:", err)
		os.Exit(2)
	}
}
