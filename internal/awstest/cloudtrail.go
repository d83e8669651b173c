package awstest

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CloudTrail's JSON 1.1 API: LookupEvents and trail management.

// CloudTrail's X-Amz-Target prefixes: botocore (the AWS CLI) sends the long one,
// aws-sdk-go-v2 the short one.
const (
	cloudTrailTargetPrefix      = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	cloudTrailShortTargetPrefix = "CloudTrail_20131101."
)

type jsonOp struct {
	run      func(c *call, in map[string]json.RawMessage) (any, *apiError)
	readOnly bool
}

var cloudTrailOps = map[string]jsonOp{
	"LookupEvents":      {run: opLookupEvents, readOnly: true},
	"CreateTrail":       {run: opCreateTrail},
	"DeleteTrail":       {run: opDeleteTrail},
	"GetTrail":          {run: opGetTrail, readOnly: true},
	"DescribeTrails":    {run: opDescribeTrails, readOnly: true},
	"ListTrails":        {run: opListTrails, readOnly: true},
	"StartLogging":      {run: opStartLogging},
	"StopLogging":       {run: opStopLogging},
	"GetTrailStatus":    {run: opGetTrailStatus, readOnly: true},
	"PutEventSelectors": {run: opPutEventSelectors},
	"GetEventSelectors": {run: opGetEventSelectors, readOnly: true},
}

// epoch prints as the JSON protocols print timestamps: seconds since 1970.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', 3, 64)), nil
}

func (s *Server) serveCloudTrail(rq *request) {
	target := rq.r.Header.Get("X-Amz-Target")
	name, found := strings.CutPrefix(target, cloudTrailTargetPrefix)
	if !found {
		name, found = strings.CutPrefix(target, cloudTrailShortTargetPrefix)
	}
	op, ok := cloudTrailOps[name]
	if !ok || !found {
		rq.writeError(newError(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", target))
		return
	}
	in := map[string]json.RawMessage{}
	if body := bytes.TrimSpace(rq.body); len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			rq.writeError(newError(http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected: %v", err))
			return
		}
	}
	c := s.newCall(rq, name, nil)
	c.readOnly = op.readOnly
	params := map[string]any{}
	for k, v := range in {
		var x any
		_ = json.Unmarshal(v, &x)
		params[lowerFirst(k)] = x
	}
	c.reqParams = params
	result, aerr := s.execute(c, func(c *call) (any, *apiError) { return op.run(c, in) }, false)
	if aerr != nil {
		rq.writeError(aerr)
	} else {
		rq.writeJSON(result)
	}
	s.finish(c, aerr)
}

func (rq *request) writeJSON(v any) {
	out, err := json.Marshal(v)
	if err != nil {
		rq.writeJSONError(newError(http.StatusInternalServerError, "InternalFailure", "encoding response: %v", err))
		return
	}
	h := rq.w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", rq.id)
	rq.w.WriteHeader(http.StatusOK)
	_, _ = rq.w.Write(out)
}

func (rq *request) writeJSONError(e *apiError) {
	out, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	h := rq.w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", rq.id)
	h.Set("X-Amzn-ErrorType", e.Code)
	rq.w.WriteHeader(e.Status)
	_, _ = rq.w.Write(out)
}

func ctError(code, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, code, format, args...)
}

// jsonString reads a string member.
func jsonString(in map[string]json.RawMessage, name string) (string, *apiError) {
	raw, ok := in[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", newError(http.StatusBadRequest, "SerializationException", "%s must be a string", name)
	}
	return s, nil
}

// jsonTime reads a timestamp member (epoch seconds).
func jsonTime(in map[string]json.RawMessage, name string) (*time.Time, *apiError) {
	raw, ok := in[name]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, newError(http.StatusBadRequest, "SerializationException", "%s must be a timestamp in epoch seconds", name)
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return &t, nil
}

type lookupAttribute struct {
	AttributeKey   string
	AttributeValue string
}

type lookupEvent struct {
	EventId         string
	EventName       string
	ReadOnly        string
	AccessKeyId     string `json:",omitempty"`
	EventTime       epoch
	EventSource     string
	Username        string `json:",omitempty"`
	Resources       []lookupResource
	CloudTrailEvent string
}

type lookupResource struct {
	ResourceType string
	ResourceName string
}

func opLookupEvents(c *call, in map[string]json.RawMessage) (any, *apiError) {
	var attrs []lookupAttribute
	if raw, ok := in["LookupAttributes"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &attrs); err != nil {
			return nil, newError(http.StatusBadRequest, "SerializationException", "LookupAttributes must be a list of {AttributeKey, AttributeValue}")
		}
	}
	if len(attrs) > 1 {
		return nil, ctError("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
	}
	for _, a := range attrs {
		switch a.AttributeKey {
		case "EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId":
		default:
			return nil, ctError("InvalidLookupAttributesException", "Invalid attribute key: %s", a.AttributeKey)
		}
		if a.AttributeValue == "" || len(a.AttributeValue) > 2000 {
			return nil, ctError("InvalidLookupAttributesException", "AttributeValue must be between 1 and 2000 characters")
		}
		if a.AttributeKey == "ReadOnly" && a.AttributeValue != "true" && a.AttributeValue != "false" {
			return nil, ctError("InvalidLookupAttributesException", "ReadOnly attribute value must be true or false")
		}
	}
	start, aerr := jsonTime(in, "StartTime")
	if aerr != nil {
		return nil, aerr
	}
	end, aerr := jsonTime(in, "EndTime")
	if aerr != nil {
		return nil, aerr
	}
	if start != nil && end != nil && start.After(*end) {
		return nil, ctError("InvalidTimeRangeException", "Start time must be before end time.")
	}
	max := 50
	if raw, ok := in["MaxResults"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &max); err != nil || max < 1 || max > 50 {
			return nil, ctError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
		}
	}
	if cat, _ := jsonString(in, "EventCategory"); cat != "" && cat != "insight" {
		return nil, ctError("InvalidEventCategoryException", "Invalid event category: %s", cat)
	} else if cat == "insight" {
		if err := c.authorize("*"); err != nil {
			return nil, err
		}
		return map[string]any{"Events": []lookupEvent{}}, nil // the sandbox raises no Insights events
	}
	token, aerr := jsonString(in, "NextToken")
	if aerr != nil {
		return nil, aerr
	}
	var before uint64 = math.MaxUint64
	if token != "" {
		n, err := strconv.ParseUint(token, 10, 64)
		if err != nil {
			return nil, ctError("InvalidNextTokenException", "Invalid NextToken.")
		}
		before = n
	}
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	events := c.s.events.snapshot()
	var out []lookupEvent
	next := ""
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if !e.Mgmt || e.Seq > before {
			continue
		}
		if start != nil && e.Time.Before(*start) || end != nil && e.Time.After(*end) {
			continue
		}
		if len(attrs) == 1 && !matchAttribute(e, attrs[0]) {
			continue
		}
		if len(out) == max {
			next = strconv.FormatUint(e.Seq, 10)
			break
		}
		le := lookupEvent{EventId: e.ID, EventName: e.Name, ReadOnly: strconv.FormatBool(e.ReadOnly), AccessKeyId: e.AccessKey,
			EventTime: epoch(e.Time), EventSource: e.Source, Username: e.Username, CloudTrailEvent: string(e.Record),
			Resources: []lookupResource{}}
		for _, r := range e.Lookup {
			le.Resources = append(le.Resources, lookupResource{r.Type, r.Name})
		}
		out = append(out, le)
	}
	if out == nil {
		out = []lookupEvent{}
	}
	res := map[string]any{"Events": out}
	if next != "" {
		res["NextToken"] = next
	}
	return res, nil
}

func matchAttribute(e *storedEvent, a lookupAttribute) bool {
	v := a.AttributeValue
	switch a.AttributeKey {
	case "EventId":
		return e.ID == v
	case "EventName":
		return e.Name == v
	case "ReadOnly":
		return strconv.FormatBool(e.ReadOnly) == v
	case "Username":
		return e.Username == v
	case "EventSource":
		return e.Source == v
	case "AccessKeyId":
		return e.AccessKey == v
	case "ResourceType", "ResourceName":
		for _, r := range e.Lookup {
			if a.AttributeKey == "ResourceType" && r.Type == v || a.AttributeKey == "ResourceName" && r.Name == v {
				return true
			}
		}
	}
	return false
}
