# The standing entitlement of the reports reader role: read one bucket, nothing else.
resource "ciem_entitlement" "reports_reader" {
  principal_arn = "arn:aws:iam::111122223333:role/reports-reader"
  name          = "reports-reader-standing"
  path          = "/ciem/"
  description   = "Read the monthly reports"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadReports"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::example-reports", "arn:aws:s3:::example-reports/*"]
    }]
  })

  # Fail the plan, rather than warn, should the policy ever grant these.
  deny_findings = ["privilege_escalation", "credentials_exposure"]
}

# The same kind of entitlement for a group, written with statement blocks: a finding
# points at the block and attribute it is about.
resource "ciem_entitlement" "analysts" {
  principal_arn = "arn:aws:iam::111122223333:group/analysts"
  name          = "analysts-standing"

  statement {
    sid       = "QueryOwnTeamTables"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryResults"]
    resources = ["arn:aws:athena:us-east-1:111122223333:workgroup/analytics"]

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["analytics"]
    }
  }

  statement {
    effect    = "Deny"
    actions   = ["s3:DeleteObject"]
    resources = ["*"]
  }
}

output "reports_reader_findings" {
  value = ciem_entitlement.reports_reader.findings
}
