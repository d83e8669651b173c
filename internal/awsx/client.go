package awsx

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// IAM wraps an IAM client with the operations ciem needs.
type IAM struct {
	Client *iam.Client
}

// NewIAM builds the wrapper from an SDK configuration; optFns adjust the client (an
// endpoint override, for example).
func NewIAM(cfg aws.Config, optFns ...func(*iam.Options)) *IAM {
	return &IAM{Client: iam.NewFromConfig(cfg, optFns...)}
}
