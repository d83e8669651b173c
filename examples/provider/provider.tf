terraform {
  required_providers {
    ciem = {
      source = "ciem/ciem"
    }
  }
}

# Credentials come from the standard AWS chain (environment, shared config and
# credentials files, container and instance metadata). Here the run then assumes a
# deployment role; `endpoints` points the provider at a local `ciem sandbox`.
provider "ciem" {
  region = "us-east-1"

  assume_role {
    role_arn     = "arn:aws:iam::111122223333:role/terraform"
    session_name = "terraform"
    duration     = "1h"
  }

  endpoints {
    iam = "http://127.0.0.1:4566"
    sts = "http://127.0.0.1:4566"
  }
}
