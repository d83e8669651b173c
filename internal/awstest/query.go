package awstest

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Query protocol versions and XML namespaces.
const (
	iamVersion   = "2010-05-08"
	stsVersion   = "2011-06-15"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// queryOp is one IAM or STS operation. run parses and validates its parameters, calls
// c.authorize with the resources it touches, then does the work and returns the value
// of the <OpResult> element (nil for operations that have none).
type queryOp struct {
	run      func(c *call) (any, *apiError)
	readOnly bool
	// noAuthz marks operations AWS never authorises (sts:GetCallerIdentity).
	noAuthz bool
}

// serveQuery serves an IAM or STS request.
func (s *Server) serveQuery(rq *request) {
	vals, aerr := rq.form()
	if aerr != nil {
		rq.writeError(aerr)
		return
	}
	action := vals.Get("Action")
	ops, version := iamOps, iamVersion
	if rq.service == serviceSTS {
		ops, version = stsOps, stsVersion
	}
	if action == "" {
		rq.writeError(newError(http.StatusBadRequest, "MissingAction", "Missing Action"))
		return
	}
	op, ok := ops[action]
	if !ok || vals.Get("Version") != "" && vals.Get("Version") != version {
		rq.writeError(newError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, vals.Get("Version")))
		return
	}
	c := s.newCall(rq, action, vals)
	c.readOnly = op.readOnly
	result, aerr := s.execute(c, op.run, op.noAuthz)
	if aerr != nil {
		rq.writeError(aerr)
	} else {
		rq.writeQueryResult(action, result)
	}
	s.finish(c, aerr)
}

// execute runs an operation under the state lock, with the caller resolved.
func (s *Server) execute(c *call, run func(*call) (any, *apiError), noAuthz bool) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.caller = s.resolveCaller(c.rq.cred)
	if noAuthz {
		c.authorized = true
	}
	result, aerr := run(c)
	if aerr == nil && !c.authorized {
		// An operation that never called authorize is a bug in the sandbox, not a
		// permission the caller has.
		return nil, newError(http.StatusInternalServerError, "ServiceFailure", "sandbox: %s did not authorise its request", c.op).receiver()
	}
	return result, aerr
}

func (e *apiError) receiver() *apiError {
	e.Receiver = true
	return e
}

// call is one operation being served: its parameters, caller, and what CloudTrail
// will record about it.
type call struct {
	s          *Server
	rq         *request
	op         string // API operation name, e.g. CreateUser
	iamAction  string // the IAM action when it is not service:op (S3's HeadObject is s3:GetObject)
	service    string // iam, sts, s3, cloudtrail
	params     url.Values
	caller     *caller
	authorized bool
	readOnly   bool
	management bool // a CloudTrail management event (S3 object calls are data events)
	problems   []string
	// What the CloudTrail event records.
	reqParams  any
	respElems  any
	resources  []eventResource
	authzExtra map[string][]string // request-specific condition keys
	// additionalEventData, for S3.
	extraData map[string]any
}

func (s *Server) newCall(rq *request, op string, params url.Values) *call {
	return &call{s: s, rq: rq, op: op, service: rq.service, params: params, management: true}
}

// str returns a parameter's value ("" when absent).
func (c *call) str(name string) string { return c.params.Get(name) }

// has reports whether a parameter was sent.
func (c *call) has(name string) bool { _, ok := c.params[name]; return ok }

// list returns the values of a Query list parameter (Name.member.1, Name.member.2, ...).
func (c *call) list(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := c.params[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// structList returns the values of a list of structures, one map per member.
func (c *call) structList(name string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		prefix := name + ".member." + strconv.Itoa(i) + "."
		m := map[string]string{}
		for k, v := range c.params {
			if strings.HasPrefix(k, prefix) {
				m[k[len(prefix):]] = v[0]
			}
		}
		if len(m) == 0 {
			return out
		}
		out = append(out, m)
	}
}

// tags returns the Tags list parameter.
func (c *call) tags(name string) []Tag {
	var out []Tag
	for _, m := range c.structList(name) {
		out = append(out, Tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// problem records a validation failure in AWS's wording; failed returns them all as
// one ValidationError.
func (c *call) problem(format string, args ...any) {
	c.problems = append(c.problems, sprintf(format, args...))
}

func (c *call) failed() *apiError {
	switch len(c.problems) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", c.problems[0])
	}
	return errValidation("%d validation errors detected: %s", len(c.problems), strings.Join(c.problems, "; "))
}

// writeQueryResult sends <OpResponse><OpResult>result</OpResult><ResponseMetadata/>.
func (rq *request) writeQueryResult(op string, result any) {
	ns := iamNamespace
	if rq.service == serviceSTS {
		ns = stsNamespace
	}
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	err := enc.EncodeToken(start)
	if err == nil && result != nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: op + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{rq.id}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		rq.writeQueryError(newError(http.StatusInternalServerError, "ServiceFailure", "encoding response: %v", err).receiver())
		return
	}
	h := rq.w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", rq.id)
	rq.w.WriteHeader(http.StatusOK)
	_, _ = rq.w.Write(buf.Bytes())
}

// writeQueryError sends an <ErrorResponse> document.
func (rq *request) writeQueryError(e *apiError) {
	ns := iamNamespace
	if rq.service == serviceSTS {
		ns = stsNamespace
	}
	typ := "Sender"
	if e.Receiver {
		typ = "Receiver"
	}
	doc := struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		NS      string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}{NS: ns, RequestID: rq.id}
	doc.Error.Type, doc.Error.Code, doc.Error.Message = typ, e.Code, e.Message
	out, _ := xml.Marshal(doc) // plain strings always marshal
	h := rq.w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", rq.id)
	rq.w.WriteHeader(e.Status)
	_, _ = rq.w.Write(out)
}

// isoTime prints as IAM and STS print dates: 2024-01-02T03:04:05Z.
type isoTime time.Time

func (t isoTime) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}

func isoPtr(t *time.Time) *isoTime {
	if t == nil || t.IsZero() {
		return nil
	}
	v := isoTime(*t)
	return &v
}

// members is a Query-protocol list: <Name><member>...</member></Name>, present even
// when empty, as AWS sends it.
type members[T any] struct {
	Member []T `xml:"member"`
}

// queryParamsForEvent turns Query parameters into CloudTrail's requestParameters:
// lower-camel names, lists as arrays, structures as objects.
func queryParamsForEvent(vals url.Values) map[string]any {
	out := map[string]any{}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		if k == "Action" || k == "Version" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		setNested(out, strings.Split(k, "."), vals.Get(k))
	}
	return collapseLists(out).(map[string]any)
}

func setNested(m map[string]any, path []string, v string) {
	key := lowerFirst(path[0])
	if len(path) == 1 {
		m[key] = v
		return
	}
	child, ok := m[key].(map[string]any)
	if !ok {
		child = map[string]any{}
		m[key] = child
	}
	rest := path[1:]
	if rest[0] == "member" || rest[0] == "entry" {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return
	}
	if len(rest) == 1 {
		child[rest[0]] = v
		return
	}
	setNested(child, rest, v)
}

// collapseLists turns maps keyed 1, 2, 3... into arrays.
func collapseLists(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, c := range m {
		m[k] = collapseLists(c)
	}
	if len(m) == 0 {
		return m
	}
	list := make([]any, len(m))
	for k, c := range m {
		i, err := strconv.Atoi(k)
		if err != nil || i < 1 || i > len(m) {
			return m
		}
		list[i-1] = c
	}
	return list
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// Acronym prefixes keep AWS's CloudTrail spelling (SAMLProviderArn -> sAMLProviderArn
	// is what AWS logs too, so a plain first-letter change is faithful).
	return strings.ToLower(s[:1]) + s[1:]
}
