# With Terraform or OpenTofu 1.12 and later, an import block can name the entitlement by
# its identity: the managed policy's ARN. The policy must be attached to exactly one
# principal, which becomes principal_arn.
import {
  to = ciem_entitlement.reports_reader
  identity = {
    policy_arn = "arn:aws:iam::111122223333:policy/ciem/reports-reader-standing"
  }
}
