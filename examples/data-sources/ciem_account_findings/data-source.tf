# Scan the account the provider reaches: who can become administrator, and how.
data "ciem_account_findings" "account" {
  min_severity = "medium"

  # Fail the plan as soon as a principal can escalate to administrator.
  lifecycle {
    postcondition {
      condition = length([
        for f in self.findings : f if f.type == "privilege_escalation"
      ]) == 0
      error_message = "New privilege escalation path: ${join("; ", [
        for f in self.findings : "${f.principal_arn}: ${f.title}" if f.type == "privilege_escalation"
      ])}"
    }
  }
}

# Or only warn, with a check block.
check "no_cross_account_trust" {
  assert {
    condition     = length([for f in data.ciem_account_findings.account.findings : f if f.type == "cross_account_trust"]) == 0
    error_message = "A role trusts another account."
  }
}

output "finding_counts" {
  value = data.ciem_account_findings.account.finding_counts
}

output "administrators" {
  value = [for p in data.ciem_account_findings.account.principals : p.arn if p.is_admin]
}
