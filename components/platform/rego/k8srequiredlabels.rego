# Workloads carry the labels the platform reads: name, part-of and environment.
package k8srequiredlabels

violation contains {"msg": msg, "details": {"missing_labels": missing}} if {
	labels := object.get(input.review.object.metadata, "labels", {})
	provided := {label | labels[label]}
	required := {label | some label in input.parameters.labels}
	missing := required - provided
	count(missing) > 0
	msg := sprintf("%v %v is missing required labels %v", [input.review.kind.kind, input.review.object.metadata.name, sort([label | some label in missing])])
}
