"""The thresholds of canary analysis: what settings validate and the analysis templates compare against.

CPU and memory are the canary's usage over its requests (1.0 = using exactly what it requests).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnalysisThresholds:
    success_rate: float
    latency_p95_seconds: float
    error_rate: float
    cpu_usage_to_request: float
    memory_usage_to_request: float
