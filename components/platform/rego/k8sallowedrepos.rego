# Images come only from our registries (ACR login server, GHCR prefix), never elsewhere.
package k8sallowedrepos

images contains container.image if {
	some field in ["containers", "initContainers", "ephemeralContainers"]
	some container in object.get(input.review.object.spec, field, [])
}

allowed(image) if {
	some repo in input.parameters.repos
	startswith(image, repo)
}

violation contains {"msg": msg} if {
	some image in images
	not allowed(image)
	msg := sprintf("image %v is not from an allowed registry %v", [image, input.parameters.repos])
}
