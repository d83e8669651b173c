# An entitlement is imported by its managed policy's ARN; the policy must be attached to
# exactly one principal, which becomes principal_arn.
terraform import ciem_entitlement.reports_reader arn:aws:iam::111122223333:policy/ciem/reports-reader-standing

# For a policy attached to several principals, name the one the entitlement holds.
terraform import ciem_entitlement.reports_reader arn:aws:iam::111122223333:policy/ciem/reports-reader-standing,arn:aws:iam::111122223333:role/reports-reader
