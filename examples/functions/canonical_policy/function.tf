# Two documents that mean the same give the same canonical text.
locals {
  written_by_hand = <<-EOT
    {
      "Statement": {"Resource": ["*"], "Action": ["S3:GETOBJECT", "s3:GetObject"], "Effect": "Allow"},
      "Version": "2012-10-17"
    }
  EOT
}

output "canonical" {
  value = provider::ciem::canonical_policy(local.written_by_hand)
}

output "same_as_jsonencode" {
  value = provider::ciem::canonical_policy(local.written_by_hand) == provider::ciem::canonical_policy(jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  }))
}
