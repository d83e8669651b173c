// Package awstest is an AWS endpoint for tests and for the dev sandbox (`ciem sandbox`):
// IAM and STS (Query protocol, XML), S3 (REST, path-style) and CloudTrail (JSON 1.1)
// on one HTTP listener, faithful enough that aws-sdk-go-v2 and the AWS CLI v2 cannot
// tell it from AWS for the operations ciem uses.
//
// Every request must carry a SigV4 signature from keys the sandbox issued (the admin
// user's key, IAM access keys, STS credentials) and is authorised with ciem's IAM
// engine (internal/iam) against the caller's identity policies, groups, permissions
// boundary, session policies and request context, as AWS would; a denial is AWS's
// AccessDenied with its message. Every call becomes a CloudTrail record (LookupEvents,
// and log files that trails deliver to S3) and feeds Access Advisor.
//
// In tests:
//
//	srv := awstest.Start(t)                    // random loopback port, ManualClock, closed at the end
//	cfg := srv.AdminConfig(ctx)                // aws.Config for the admin user
//	iamc := iam.NewFromConfig(cfg)             // any aws-sdk-go-v2 client
//	...
//	userCfg := srv.ConfigFor(awstest.Credentials{AccessKeyID: id, SecretAccessKey: secret})
//	srv.Advance(time.Hour)                     // expire STS credentials, date events
//	keys, _ := srv.DeliverTrailLogs()          // write CloudTrail files to trail buckets now
//	events := srv.Events()                     // the CloudTrail records, oldest first
//
// A client built elsewhere should use HTTPClient (see there for why). What the
// sandbox does not do is listed in README.md.
package awstest
