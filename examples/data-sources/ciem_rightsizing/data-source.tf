# What the reports reader role needs, from 90 days of CloudTrail management events.
data "ciem_rightsizing" "reports_reader" {
  principal_arn = "arn:aws:iam::111122223333:role/reports-reader"
  sources       = ["lookup-events"]
  since         = "90d"
}

# Its standing entitlement becomes exactly that: the plan shows what is taken away.
resource "ciem_entitlement" "reports_reader_rightsized" {
  principal_arn = data.ciem_rightsizing.reports_reader.principal_arn
  name          = "reports-reader-rightsized"
  policy        = data.ciem_rightsizing.reports_reader.policy
}

output "unused_share" {
  value = data.ciem_rightsizing.reports_reader.unused_ratio
}

output "removed" {
  value = data.ciem_rightsizing.reports_reader.unused_actions
}
