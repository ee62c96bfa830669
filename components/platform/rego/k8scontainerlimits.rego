# Every container and init container declares CPU and memory limits.
package k8scontainerlimits

containers contains container if {
	some field in ["containers", "initContainers"]
	some container in object.get(input.review.object.spec, field, [])
}

violation contains {"msg": msg} if {
	some container in containers
	some resource in ["cpu", "memory"]
	not container.resources.limits[resource]
	msg := sprintf("container %v has no %v limit", [container.name, resource])
}
