data "ciem_policy_analysis" "deploy" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:Get*", "s3:PutObject", "iam:PassRole"]
      Resource = "*"
    }]
  })
}

# What the policy can change, and how big it is against IAM's limit.
output "deploy_writes" {
  value = data.ciem_policy_analysis.deploy.actions.write
}

output "deploy_size" {
  value = "${data.ciem_policy_analysis.deploy.size} of ${data.ciem_policy_analysis.deploy.size_limit} characters"
}

# Fail the run when the policy has a critical or high risk.
check "no_high_risk" {
  assert {
    condition = length([
      for f in data.ciem_policy_analysis.deploy.findings : f
      if contains(["critical", "high"], f.severity)
    ]) == 0
    error_message = "The deploy policy has high or critical risk findings."
  }
}
