# No privileged containers: they own the node.
package k8snoprivileged

violation contains {"msg": msg} if {
	some field in ["containers", "initContainers", "ephemeralContainers"]
	some container in object.get(input.review.object.spec, field, [])
	container.securityContext.privileged == true
	msg := sprintf("container %v is privileged", [container.name])
}
