package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// creatorOf returns the ARN of the caller that created the named policy, from the
// sandbox's CloudTrail events.
func (e *accEnv) creatorOf(policyName string) (string, error) {
	ct := cloudtrail.NewFromConfig(e.Sandbox.AdminConfig(context.Background()))
	out, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreatePolicy")}},
	})
	if err != nil {
		return "", fmt.Errorf("looking up CreatePolicy events: %w", err)
	}
	for _, ev := range out.Events {
		var rec struct {
			UserIdentity struct {
				ARN string `json:"arn"`
			} `json:"userIdentity"`
			RequestParameters struct {
				PolicyName string `json:"policyName"`
			} `json:"requestParameters"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
			return "", fmt.Errorf("reading a CloudTrail event: %w", err)
		}
		if rec.RequestParameters.PolicyName == policyName {
			return rec.UserIdentity.ARN, nil
		}
	}
	return "", fmt.Errorf("no CreatePolicy event for %s among %d", policyName, len(out.Events))
}
