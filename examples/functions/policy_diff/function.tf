locals {
  current = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "arn:aws:s3:::example-reports/*" }]
  })
  proposed = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::example-reports/*" }]
  })
  change = provider::ciem::policy_diff(local.current, local.proposed)
}

# What right-sizing takes away, by access level.
output "removed_write_actions" {
  value = flatten([for l in local.change.by_access_level : l.removed if l.level == "Write"])
}

output "adds_nothing" {
  value = length(local.change.added) == 0
}

output "removes_put_object" {
  value = contains(flatten([for l in local.change.by_access_level : l.removed]), "s3:PutObject")
}
