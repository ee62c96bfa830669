# Nothing lives in the default namespace: every workload has a namespace of its own.
# Kubernetes' own objects there are let through, by kind and name: the `kubernetes` Service the
# API server keeps, the `default` ServiceAccount the service-account controller creates in every
# namespace, and the `kube-root-ca.crt` ConfigMap the root-CA publisher writes into every namespace
# (kubernetes/kubernetes: pkg/controlplane/controller/kubernetesservice, pkg/controller/serviceaccount,
# pkg/controller/certificates/rootcacertpublisher `RootCACertConfigMapName`).
package k8snodefaultnamespace

kubernetes_own := {"Service": "kubernetes", "ServiceAccount": "default", "ConfigMap": "kube-root-ca.crt"}

violation contains {"msg": msg} if {
	object.get(input.review.object.metadata, "namespace", input.review.namespace) == "default"
	not object.get(kubernetes_own, input.review.kind.kind, "") == input.review.object.metadata.name
	msg := sprintf("%v %v must not be in the default namespace", [input.review.kind.kind, input.review.object.metadata.name])
}
