package awstest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// CloudTrail trails: configuration, and delivery of log files to S3.

type trail struct {
	Name              string          `json:"name"`
	ARN               string          `json:"arn"`
	Bucket            string          `json:"bucket"`
	Prefix            string          `json:"prefix,omitempty"`
	HomeRegion        string          `json:"homeRegion"`
	MultiRegion       bool            `json:"multiRegion"`
	IncludeGlobal     bool            `json:"includeGlobal"`
	Logging           bool            `json:"logging"`
	StartTime         *time.Time      `json:"startTime,omitempty"`
	StopTime          *time.Time      `json:"stopTime,omitempty"`
	LatestDelivery    *time.Time      `json:"latestDelivery,omitempty"`
	LatestDeliveryErr string          `json:"latestDeliveryErr,omitempty"`
	Delivered         uint64          `json:"delivered"` // sequence number of the last event delivered
	Selectors         []eventSelector `json:"selectors"`
	LogFileValidation bool            `json:"logFileValidation,omitempty"`
	OrganizationTrail bool            `json:"organizationTrail,omitempty"`
}

type eventSelector struct {
	ReadWriteType                 string         `json:"ReadWriteType"`
	IncludeManagementEvents       bool           `json:"IncludeManagementEvents"`
	DataResources                 []dataResource `json:"DataResources"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources"`
}

type dataResource struct {
	Type   string   `json:"Type"`
	Values []string `json:"Values"`
}

var trailNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)

// trailParam finds the trail a request names (by name or ARN).
func (c *call) trailParam(in map[string]json.RawMessage, member string) (*trail, string, *apiError) {
	name, aerr := jsonString(in, member)
	if aerr != nil {
		return nil, "", aerr
	}
	if name == "" {
		return nil, "", ctError("InvalidTrailNameException", "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	}
	key := name
	if strings.HasPrefix(name, "arn:") {
		key = name[strings.LastIndexByte(name, '/')+1:]
	}
	arn := c.s.trailARN(key)
	if err := c.authorize(arn); err != nil {
		return nil, arn, err
	}
	t := c.s.st.Trails[key]
	if t == nil {
		return nil, arn, ctError("TrailNotFoundException", "Unknown trail: %s for the user: %s", arn, c.s.st.Account)
	}
	return t, arn, nil
}

func (s *Server) trailARN(name string) string {
	return "arn:aws:cloudtrail:" + s.opts.Region + ":" + s.st.Account + ":trail/" + name
}

func (t *trail) view() map[string]any {
	return map[string]any{
		"Name": t.Name, "S3BucketName": t.Bucket, "S3KeyPrefix": t.Prefix, "TrailARN": t.ARN, "HomeRegion": t.HomeRegion,
		"IncludeGlobalServiceEvents": t.IncludeGlobal, "IsMultiRegionTrail": t.MultiRegion, "LogFileValidationEnabled": t.LogFileValidation,
		"IsOrganizationTrail": t.OrganizationTrail, "HasCustomEventSelectors": !defaultSelectors(t.Selectors), "HasInsightSelectors": false,
	}
}

func defaultSelectors(sel []eventSelector) bool {
	return len(sel) == 1 && sel[0].ReadWriteType == "All" && sel[0].IncludeManagementEvents && len(sel[0].DataResources) == 0
}

func opCreateTrail(c *call, in map[string]json.RawMessage) (any, *apiError) {
	name, aerr := jsonString(in, "Name")
	if aerr != nil {
		return nil, aerr
	}
	bucket, aerr := jsonString(in, "S3BucketName")
	if aerr != nil {
		return nil, aerr
	}
	prefix, _ := jsonString(in, "S3KeyPrefix")
	if !trailNamePattern.MatchString(name) || strings.Contains(name, "..") {
		return nil, ctError("InvalidTrailNameException", "Trail name must start with a letter or number, end with a letter or number, be between 3 and 128 characters, and contain only letters, numbers, periods, underscores and dashes.")
	}
	s := c.s
	arn := s.trailARN(name)
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	if s.st.Trails[name] != nil {
		return nil, ctError("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", name, s.st.Account)
	}
	if s.st.Buckets[bucket] == nil {
		return nil, ctError("S3BucketDoesNotExistException", "S3 bucket %s does not exist.", bucket)
	}
	t := &trail{Name: name, ARN: arn, Bucket: bucket, Prefix: prefix, HomeRegion: s.opts.Region, IncludeGlobal: true,
		Selectors: []eventSelector{{ReadWriteType: "All", IncludeManagementEvents: true, DataResources: []dataResource{}, ExcludeManagementEventSources: []string{}}}}
	jsonBool(in, "IsMultiRegionTrail", &t.MultiRegion)
	jsonBool(in, "IncludeGlobalServiceEvents", &t.IncludeGlobal)
	jsonBool(in, "EnableLogFileValidation", &t.LogFileValidation)
	t.Delivered = s.events.lastSeq()
	s.st.Trails[name] = t
	v := t.view()
	delete(v, "HomeRegion")
	delete(v, "HasCustomEventSelectors")
	delete(v, "HasInsightSelectors")
	return v, nil
}

func jsonBool(in map[string]json.RawMessage, name string, dst *bool) {
	if raw, ok := in[name]; ok {
		_ = json.Unmarshal(raw, dst)
	}
}

func (l *eventLog) lastSeq() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.next - 1
}

func opDeleteTrail(c *call, in map[string]json.RawMessage) (any, *apiError) {
	t, _, aerr := c.trailParam(in, "Name")
	if aerr != nil {
		return nil, aerr
	}
	delete(c.s.st.Trails, t.Name)
	return map[string]any{}, nil
}

func opGetTrail(c *call, in map[string]json.RawMessage) (any, *apiError) {
	t, _, aerr := c.trailParam(in, "Name")
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"Trail": t.view()}, nil
}

func (s *Server) sortedTrails() []*trail {
	var out []*trail
	for _, t := range s.st.Trails {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func opDescribeTrails(c *call, in map[string]json.RawMessage) (any, *apiError) {
	var names []string
	if raw, ok := in["trailNameList"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &names); err != nil {
			return nil, newError(http.StatusBadRequest, "SerializationException", "trailNameList must be a list of strings")
		}
	}
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n[strings.LastIndexByte(n, '/')+1:]] = true
	}
	list := []map[string]any{}
	for _, t := range c.s.sortedTrails() {
		if len(want) == 0 || want[t.Name] {
			list = append(list, t.view())
		}
	}
	return map[string]any{"trailList": list}, nil
}

func opListTrails(c *call, _ map[string]json.RawMessage) (any, *apiError) {
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, t := range c.s.sortedTrails() {
		list = append(list, map[string]any{"TrailARN": t.ARN, "Name": t.Name, "HomeRegion": t.HomeRegion})
	}
	return map[string]any{"Trails": list}, nil
}

func opStartLogging(c *call, in map[string]json.RawMessage) (any, *apiError) {
	t, _, aerr := c.trailParam(in, "Name")
	if aerr != nil {
		return nil, aerr
	}
	if !t.Logging {
		now := c.rq.now
		t.Logging, t.StartTime = true, &now
		t.Delivered = c.s.events.lastSeq()
	}
	return map[string]any{}, nil
}

func opStopLogging(c *call, in map[string]json.RawMessage) (any, *apiError) {
	t, _, aerr := c.trailParam(in, "Name")
	if aerr != nil {
		return nil, aerr
	}
	if t.Logging {
		now := c.rq.now
		t.Logging, t.StopTime = false, &now
	}
	return map[string]any{}, nil
}

func opGetTrailStatus(c *call, in map[string]json.RawMessage) (any, *apiError) {
	t, _, aerr := c.trailParam(in, "Name")
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"IsLogging": t.Logging}
	if t.StartTime != nil {
		out["StartLoggingTime"] = epoch(*t.StartTime)
	}
	if t.StopTime != nil {
		out["StopLoggingTime"] = epoch(*t.StopTime)
	}
	if t.LatestDelivery != nil {
		out["LatestDeliveryTime"] = epoch(*t.LatestDelivery)
		out["LatestDeliveryAttemptSucceeded"] = t.LatestDelivery.UTC().Format(time.RFC3339)
	}
	if t.LatestDeliveryErr != "" {
		out["LatestDeliveryError"] = t.LatestDeliveryErr
	}
	return out, nil
}

func opPutEventSelectors(c *call, in map[string]json.RawMessage) (any, *apiError) {
	var sel []eventSelector
	if raw, ok := in["EventSelectors"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &sel); err != nil {
			return nil, ctError("InvalidEventSelectorsException", "EventSelectors are malformed: %v", err)
		}
	} else {
		return nil, ctError("InvalidEventSelectorsException", "EventSelectors must be given (advanced event selectors are not supported by the sandbox).")
	}
	if len(sel) == 0 || len(sel) > 5 {
		return nil, ctError("InvalidEventSelectorsException", "You can have between 1 and 5 event selectors per trail.")
	}
	for i := range sel {
		if sel[i].ReadWriteType == "" {
			sel[i].ReadWriteType = "All"
		}
		switch sel[i].ReadWriteType {
		case "All", "ReadOnly", "WriteOnly":
		default:
			return nil, ctError("InvalidEventSelectorsException", "ReadWriteType must be ReadOnly, WriteOnly or All.")
		}
		for _, dr := range sel[i].DataResources {
			if dr.Type != "AWS::S3::Object" && dr.Type != "AWS::Lambda::Function" && dr.Type != "AWS::DynamoDB::Table" {
				return nil, ctError("InvalidEventSelectorsException", "Data resource type %s is not supported.", dr.Type)
			}
		}
		if sel[i].DataResources == nil {
			sel[i].DataResources = []dataResource{}
		}
		if sel[i].ExcludeManagementEventSources == nil {
			sel[i].ExcludeManagementEventSources = []string{}
		}
	}
	t, _, aerr := c.trailParam(in, "TrailName")
	if aerr != nil {
		return nil, aerr
	}
	t.Selectors = sel
	return map[string]any{"TrailARN": t.ARN, "EventSelectors": sel}, nil
}

func opGetEventSelectors(c *call, in map[string]json.RawMessage) (any, *apiError) {
	t, _, aerr := c.trailParam(in, "TrailName")
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"TrailARN": t.ARN, "EventSelectors": t.Selectors}, nil
}

// selects reports whether a trail's selectors log the event.
func (t *trail) selects(e *storedEvent) bool {
	for _, sel := range t.Selectors {
		switch sel.ReadWriteType {
		case "ReadOnly":
			if !e.ReadOnly {
				continue
			}
		case "WriteOnly":
			if e.ReadOnly {
				continue
			}
		}
		if e.Mgmt {
			if sel.IncludeManagementEvents && !contains(sel.ExcludeManagementEventSources, e.Source) {
				return true
			}
			continue
		}
		for _, dr := range sel.DataResources {
			if dr.Type != "AWS::S3::Object" || e.Source != "s3.amazonaws.com" {
				continue
			}
			for _, v := range dr.Values {
				for _, arn := range e.DataARNs {
					if v == "arn:aws:s3" || v == "arn:aws:s3:::" || strings.HasPrefix(arn, v) {
						return true
					}
				}
			}
		}
	}
	return false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
