"""Vocabularies that settings and components both speak, below both: they import nothing of the project.

`gitops` is the Pulumi-ArgoCD contract (labels, annotations, add-on names, namespaces, taints);
`azure_roles` resolves Azure built-in role names from the vendored role table; `aks` holds the
AKS options a stack picks from; `analysis` the canary analysis thresholds.
"""
