package awstest

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"
)

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// rule is an IAM/STS parameter constraint as the service model states it.
type rule struct {
	min, max int // length bounds in characters
	pattern  *regexp.Regexp
	text     string // the pattern as AWS prints it
}

var (
	namePattern       = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern       = regexp.MustCompile(`^(/|/[\x{21}-\x{7E}]+/)$`)
	pathPrefixPattern = regexp.MustCompile(`^/[\x{21}-\x{7F}]*$`)
	policyDocPattern  = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{FF}]+$`)
	descPattern       = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)
	tagKeyPattern     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	sessionPattern    = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	accessKeyPattern  = regexp.MustCompile(`^[\w]+$`)
	markerPattern     = regexp.MustCompile(`^[\x{20}-\x{FF}]+$`)
	arnPattern        = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{85}\x{A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+$`)
)

var (
	ruleUserName   = rule{1, 64, namePattern, `[\w+=,.@-]+`}
	ruleGroupName  = rule{1, 128, namePattern, `[\w+=,.@-]+`}
	ruleRoleName   = rule{1, 64, namePattern, `[\w+=,.@-]+`}
	rulePolicyName = rule{1, 128, namePattern, `[\w+=,.@-]+`}
	rulePath       = rule{1, 512, pathPattern, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`}
	rulePathPrefix = rule{1, 512, pathPrefixPattern, `\u002F[\u0021-\u007F]*`}
	rulePolicyDoc  = rule{1, 131072, policyDocPattern, `[\u0009\u000A\u000D\u0020-\u00FF]+`}
	ruleDesc       = rule{0, 1000, descPattern, `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`}
	ruleTagKey     = rule{1, 128, tagKeyPattern, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`}
	ruleTagValue   = rule{0, 256, tagValuePattern, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`}
	ruleArn        = rule{20, 2048, arnPattern, `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`}
	ruleAccessKey  = rule{16, 128, accessKeyPattern, `[\w]+`}
	ruleMarker     = rule{1, 320, markerPattern, `[\u0020-\u00FF]+`}
	ruleSession    = rule{2, 64, sessionPattern, `[\w+=,.@-]*`}
	ruleSourceID   = rule{2, 64, sessionPattern, `[\w+=,.@-]*`}
	ruleFedName    = rule{2, 32, sessionPattern, `[\w+=,.@-]*`}
	ruleExternalID = rule{2, 1224, externalIDPattern, `[\w+=,.@:\/-]*`}
	ruleVersionID  = rule{0, 0, regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`), `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`}
)

// check validates value (reported under the member name field) against r. A required
// value that is absent is reported as null.
func (c *call) check(field, value string, present, required bool, r rule) {
	if !present {
		if required {
			c.problem("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		}
		return
	}
	n := utf8.RuneCountInString(value)
	if r.min > 0 && n < r.min {
		c.problem("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", value, field, r.min)
		return
	}
	if r.max > 0 && n > r.max {
		c.problem("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, field, r.max)
		return
	}
	if r.pattern != nil && (value != "" || r.min > 0) && !r.pattern.MatchString(value) {
		c.problem("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, field, r.text)
	}
}

// required reads and checks a required parameter.
func (c *call) required(param string, r rule) string {
	v, ok := c.params[param]
	val := ""
	if ok {
		val = v[0]
	}
	c.check(lowerFirst(param), val, ok, true, r)
	return val
}

// optional reads and checks an optional parameter, returning def when absent.
func (c *call) optional(param string, r rule, def string) string {
	v, ok := c.params[param]
	if !ok {
		return def
	}
	c.check(lowerFirst(param), v[0], true, false, r)
	return v[0]
}

// intParam reads an optional integer parameter within [min, max].
func (c *call) intParam(param string, min, max, def int) int {
	v, ok := c.params[param]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v[0])
	field := lowerFirst(param)
	switch {
	case err != nil:
		c.problem("Value '%s' at '%s' failed to satisfy constraint: Member must be a number", v[0], field)
		return def
	case n < min:
		c.problem("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, field, min)
	case n > max:
		c.problem("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, field, max)
	}
	return n
}

// boolParam reads an optional boolean parameter.
func (c *call) boolParam(param string) bool {
	v := c.str(param)
	if v != "" && v != "true" && v != "false" {
		c.problem("Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", v, lowerFirst(param))
	}
	return v == "true"
}

// enumParam reads an optional parameter that must be one of allowed.
func (c *call) enumParam(param string, def string, allowed ...string) string {
	v, ok := c.params[param]
	if !ok {
		return def
	}
	for _, a := range allowed {
		if v[0] == a {
			return a
		}
	}
	list := ""
	for i, a := range allowed {
		if i > 0 {
			list += ", "
		}
		list += a
	}
	c.problem("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v[0], lowerFirst(param), list)
	return def
}

// tagsParam reads and checks a Tags list (at most 50, unique keys).
func (c *call) tagsParam(param string) ([]Tag, *apiError) {
	tags := c.tags(param)
	for i, t := range tags {
		c.check(sprintf("tags.%d.member.key", i+1), t.Key, true, true, ruleTagKey)
		c.check(sprintf("tags.%d.member.value", i+1), t.Value, true, false, ruleTagValue)
	}
	if len(tags) > 50 {
		c.problem("Value '%v' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", tags)
	}
	if err := c.failed(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[lower(t.Key)] {
			return nil, errInvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lower(t.Key)] = true
	}
	return tags, nil
}

// paging reads Marker and MaxItems (1 to 1000, default 100).
func (c *call) paging() (marker string, maxItems int) {
	marker = c.optional("Marker", ruleMarker, "")
	maxItems = c.intParam("MaxItems", 1, 1000, 100)
	return marker, maxItems
}
