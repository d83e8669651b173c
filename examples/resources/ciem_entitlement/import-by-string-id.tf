# `ciem import --principal ARN` writes blocks like this one for every customer managed
# policy attached to a principal, with the matching ciem_entitlement resource.
import {
  to = ciem_entitlement.reports_reader
  id = "arn:aws:iam::111122223333:policy/ciem/reports-reader-standing"
}
