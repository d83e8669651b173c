# Right-sized by ciem for arn:aws:iam::123456789012:role/app
# from usage between 2026-06-01T00:00:00Z and 2026-07-01T00:00:00Z:
# 8 of 255 granted actions kept (6 used, 2 kept without evidence of use), 247 removed.
# Kept without evidence: cloudtrail:LookupEvents (keep-pattern).
# Kept without evidence: iam:PassRole (not-logged).
# Asked for and denied, not added: iam:CreateUser (1 time).
# 1 Deny statement(s) of the granted policies apply to kept actions and are carried over unchanged

resource "ciem_entitlement" "app-rightsized" {
  principal_arn = "arn:aws:iam::123456789012:role/app"
  name          = "app-rightsized"
  description   = "Least-privilege policy for app, right-sized by ciem from observed usage"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:GetRole"
        Resource = ["arn:aws:iam::123456789012:role/*/app", "arn:aws:iam::123456789012:role/app"]
      },
      {
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = "arn:aws:s3:::data"
      },
      {
        Effect   = "Allow"
        Action   = ["cloudtrail:LookupEvents", "iam:ListRoles", "iam:PassRole", "sts:GetCallerIdentity"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:aws:s3:::data/*"
      },
      {
        Sid      = "NoSecrets"
        Effect   = "Deny"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::data/secret/*"
      },
    ]
  })
}
