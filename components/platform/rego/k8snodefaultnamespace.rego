# Nothing lives in the default namespace: every workload has a namespace of its own.
package k8snodefaultnamespace

violation contains {"msg": msg} if {
	object.get(input.review.object.metadata, "namespace", input.review.namespace) == "default"
	msg := sprintf("%v %v must not be in the default namespace", [input.review.kind.kind, input.review.object.metadata.name])
}
