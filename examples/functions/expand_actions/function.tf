# Every S3 action that reads object tags or ACLs.
output "s3_object_reads" {
  value = provider::ciem::expand_actions("s3:GetObject*")
}

# Review how much a wildcard grants before writing it into a policy.
output "sqs_action_count" {
  value = length(provider::ciem::expand_actions("sqs:*"))
}
