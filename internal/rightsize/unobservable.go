package rightsize

import (
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// Actions whose use no log shows, or shows only when the trail is set up for it.

// UnobservedReason says why an unused action is kept.
type UnobservedReason string

// Reasons an action is kept without evidence of use.
const (
	// ReasonNotLogged: CloudTrail never logs the action as an event of its own
	// (iam:PassRole is checked inside the call that passes the role).
	ReasonNotLogged UnobservedReason = "not-logged"
	// ReasonDataEventsNotLogged: the action is a data event (S3 objects, Lambda Invoke,
	// DynamoDB items, ...) and the trail logged no data events of its service.
	ReasonDataEventsNotLogged UnobservedReason = "data-events-not-logged"
	// ReasonServiceLevelOnly: Access Advisor saw the service used, and no source says
	// which of its actions.
	ReasonServiceLevelOnly UnobservedReason = "service-level-only"
	// ReasonKeepPattern: a --keep pattern matches the action.
	ReasonKeepPattern UnobservedReason = "keep-pattern"
)

// notLogged are actions CloudTrail does not log as their own events.
var notLogged = []string{"iam:PassRole"}

// dataEventService is a service whose data events a trail logs only when told to.
type dataEventService struct {
	prefix      string
	eventSource string
	// actions are the data-event actions; nil means every action whose catalog resource
	// types include one of objectTypes.
	actions     []string
	objectTypes []string
}

// dataEventServices lists the data events of CloudTrail's data event resource types that
// map to IAM actions (CloudTrail User Guide, "Logging data events").
var dataEventServices = []dataEventService{
	{prefix: "s3", eventSource: "s3.amazonaws.com", objectTypes: []string{"object"},
		// Bucket-level listings are logged as data events too (ListObjects, ListObjectVersions, ...).
		actions: []string{"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:ListMultipartUploadParts"}},
	{prefix: "s3-object-lambda", eventSource: "s3-object-lambda.amazonaws.com", objectTypes: []string{"*"}},
	{prefix: "lambda", eventSource: "lambda.amazonaws.com", actions: []string{"lambda:InvokeFunction", "lambda:InvokeAsync"}},
	{prefix: "dynamodb", eventSource: "dynamodb.amazonaws.com", actions: []string{
		"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
		"dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:PartiQLDelete",
		"dynamodb:PartiQLInsert", "dynamodb:PartiQLSelect", "dynamodb:PartiQLUpdate", "dynamodb:PutItem",
		"dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"}},
	{prefix: "sns", eventSource: "sns.amazonaws.com", actions: []string{"sns:Publish"}},
	{prefix: "sqs", eventSource: "sqs.amazonaws.com", actions: []string{
		"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"}},
	{prefix: "kinesis", eventSource: "kinesis.amazonaws.com", actions: []string{
		"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:PutRecord", "kinesis:PutRecords", "kinesis:SubscribeToShard"}},
	{prefix: "ebs", eventSource: "ebs.amazonaws.com", objectTypes: []string{"*"}},
}

// dataEvents maps data-event actions to the eventSource whose data events show them.
type dataEvents struct {
	source map[catalog.ActionID]string
}

func newDataEvents(cat *catalog.Catalog) *dataEvents {
	d := &dataEvents{source: map[catalog.ActionID]string{}}
	for _, s := range dataEventServices {
		for _, name := range s.actions {
			if id, ok := cat.LookupAction(name); ok {
				d.source[id] = s.eventSource
			}
		}
		svc := cat.Service(s.prefix)
		if svc == nil || len(s.objectTypes) == 0 {
			continue
		}
		for id := svc.First; id < svc.End; id++ {
			a := cat.Action(id)
			for _, r := range a.Resources {
				if slices.Contains(s.objectTypes, "*") || slices.ContainsFunc(s.objectTypes, func(t string) bool { return strings.EqualFold(t, r.Type.Name) }) {
					d.source[id] = s.eventSource
					break
				}
			}
			if slices.Contains(s.objectTypes, "*") {
				d.source[id] = s.eventSource
			}
		}
	}
	return d
}

// eventSource returns the eventSource whose data events would show the action, and
// whether it is a data-event action at all.
func (d *dataEvents) eventSource(id catalog.ActionID) (string, bool) {
	s, ok := d.source[id]
	return s, ok
}
