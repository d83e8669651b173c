# The broker's profiles in `ciem dev` (the rest of its configuration is set in code).
profile "readonly" {
  description    = "Read the ciem-dev-data bucket"
  role_arn       = "arn:aws:iam::111122223333:role/ciem-dev-readonly"
  session_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:ListBucket", "s3:GetBucketLocation"], Resource = "arn:aws:s3:::ciem-dev-data" },
      { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::ciem-dev-data/*" },
    ]
  })
  max_duration     = "4h"
  default_duration = "15m"
  requesters { groups = ["dev"] }
  approval { groups = ["leads"] }
  require_reason = true
}

profile "uploader" {
  description    = "Write under uploads/ in ciem-dev-data (break-glass allowed)"
  role_arn       = "arn:aws:iam::111122223333:role/ciem-dev-uploader"
  session_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:ListBucket", "s3:GetBucketLocation"], Resource = "arn:aws:s3:::ciem-dev-data" },
      { Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::ciem-dev-data/uploads/*" },
    ]
  })
  max_duration = "1h"
  requesters { groups = ["dev"] }
  approval {
    groups = ["leads"]
  }
  require_reason = true
  break_glass { max_duration = "15m" }
}

# What previews subtract: alice's standing access is the sandbox user alice (read-only on
# ciem-dev-data), so a preview of her "uploader" request shows only s3:PutObject.
standing_access {
  users = { alice = ["arn:aws:iam::111122223333:user/alice"] }
}
