package iam

import (
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Condition operators.
//
// A statement's conditions are AND'ed; the values of one condition are OR'ed (for a negated
// operator, the request value must differ from every one). Without ForAllValues: or
// ForAnyValue:, a condition on a missing key matches only for IfExists and negated
// operators, and never matches a multi-valued key. ForAllValues: matches a missing key;
// ForAnyValue: does not. The details follow the reference simulator, including how it
// parses numbers (as JavaScript's parseInt/parseFloat do) and IP addresses; where it
// departs from AWS's documentation this file says so.

type condOp uint8

const (
	opUnknown condOp = iota
	opStringEquals
	opStringNotEquals
	opStringEqualsIgnoreCase
	opStringNotEqualsIgnoreCase
	opStringLike
	opStringNotLike
	opNumericEquals
	opNumericNotEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateNotEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opNotIPAddress
	opArnEquals
	opArnLike
	opArnNotEquals
	opArnNotLike
	opNull
)

var condOpByLower = map[string]condOp{
	"stringequals": opStringEquals, "stringnotequals": opStringNotEquals,
	"stringequalsignorecase": opStringEqualsIgnoreCase, "stringnotequalsignorecase": opStringNotEqualsIgnoreCase,
	"stringlike": opStringLike, "stringnotlike": opStringNotLike,
	"numericequals": opNumericEquals, "numericnotequals": opNumericNotEquals,
	"numericlessthan": opNumericLessThan, "numericlessthanequals": opNumericLessThanEquals,
	"numericgreaterthan": opNumericGreaterThan, "numericgreaterthanequals": opNumericGreaterThanEquals,
	"dateequals": opDateEquals, "datenotequals": opDateNotEquals,
	"datelessthan": opDateLessThan, "datelessthanequals": opDateLessThanEquals,
	"dategreaterthan": opDateGreaterThan, "dategreaterthanequals": opDateGreaterThanEquals,
	"bool": opBool, "binaryequals": opBinaryEquals,
	"ipaddress": opIPAddress, "notipaddress": opNotIPAddress,
	"arnequals": opArnEquals, "arnlike": opArnLike, "arnnotequals": opArnNotEquals, "arnnotlike": opArnNotLike,
	"null": opNull,
}

// negated reports the operators that match when the value differs from every policy value.
func (op condOp) negated() bool {
	switch op {
	case opStringNotEquals, opStringNotEqualsIgnoreCase, opStringNotLike, opNumericNotEquals,
		opDateNotEquals, opNotIPAddress, opArnNotEquals, opArnNotLike:
		return true
	}
	return false
}

// compiledCondition is one (operator, key, values) of a statement.
type compiledCondition struct {
	op       condOp
	set      SetQualifier
	ifExists bool
	key      string // lower-cased
	vals     []condValue
}

// condValue is one policy value, prepared for its operator.
type condValue struct {
	raw  string
	tmpl template    // String*, Bool
	num  float64     // Numeric*, Date* (milliseconds); NaN when the value is not one
	ip   ipPattern   // IpAddress, NotIpAddress
	arn  *arnPattern // Arn*
}

// parseOperator splits an operator as written, case-insensitively as the reference does:
// "ForAnyValue:StringLikeIfExists" -> ForAnyValue, opStringLike, IfExists. An unknown set
// qualifier or base operator gives opUnknown, which never matches.
func parseOperator(s string) (condOp, SetQualifier, bool) {
	set := SingleValued
	base := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		switch strings.ToLower(s[:i]) {
		case "forallvalues":
			set = ForAllValues
		case "foranyvalue":
			set = ForAnyValue
		default:
			return opUnknown, set, false
		}
		base = s[i+1:]
		if strings.IndexByte(base, ':') >= 0 {
			return opUnknown, set, false
		}
	}
	lower := strings.ToLower(base)
	if lower == "null" {
		return opNull, set, false
	}
	ifExists := false
	if b, ok := strings.CutSuffix(lower, "ifexists"); ok {
		lower, ifExists = b, true
	}
	// The reference gives NullIfExists and ForAnyValue:Null the meaning of Null.
	return condOpByLower[lower], set, ifExists
}

func compileCondition(c *Condition, vars bool) compiledCondition {
	op, set, ifExists := parseOperator(c.Operator)
	if c.Operator == "" && c.Base != "" {
		op, _, _ = parseOperator(c.Base)
		set, ifExists = c.Set, c.IfExists
	}
	cc := compiledCondition{op: op, set: set, ifExists: ifExists, key: strings.ToLower(c.Key)}
	cc.vals = make([]condValue, len(c.Values))
	for i, v := range c.Values {
		cv := condValue{raw: v, num: math.NaN()}
		switch op {
		case opStringEquals, opStringNotEquals, opStringEqualsIgnoreCase, opStringNotEqualsIgnoreCase, opBool:
			cv.tmpl = compileTemplate(v, vars, false)
		case opStringLike, opStringNotLike:
			cv.tmpl = compileTemplate(v, vars, true)
		case opNumericEquals, opNumericNotEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
			cv.num = jsParseNumber(v)
		case opDateEquals, opDateNotEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
			cv.num = parseDate(v)
		case opIPAddress, opNotIPAddress:
			cv.ip = compileIPPattern(v)
		case opArnEquals, opArnLike, opArnNotEquals, opArnNotLike:
			cv.arn = compileARNPattern(v, vars)
		case opNull:
			cv.raw = strings.ToLower(v)
		}
		cc.vals[i] = cv
	}
	return cc
}

// eval reports whether the condition holds in the request's context.
func (c *compiledCondition) eval(ctx *Context) bool {
	e, exists := ctx.lookup(c.key)
	if c.op == opNull {
		goal := "true" // Null: true means "the key is absent"
		if exists {
			goal = "false"
		}
		for i := range c.vals {
			if c.vals[i].raw == goal {
				return true
			}
		}
		return false
	}
	if c.op == opUnknown {
		return false
	}
	switch c.set {
	case ForAllValues:
		if !exists {
			return true
		}
		for _, v := range e.values {
			if !c.matchValue(ctx, v) {
				return false
			}
		}
		return true
	case ForAnyValue:
		if !exists {
			return false
		}
		for _, v := range e.values {
			if c.matchValue(ctx, v) {
				return true
			}
		}
		return false
	}
	if !exists {
		return c.ifExists || c.op.negated()
	}
	if e.multi {
		return false // a multi-valued key needs ForAllValues: or ForAnyValue:
	}
	return c.matchValue(ctx, e.values[0])
}

// matchValue applies the base operator to one request value.
func (c *compiledCondition) matchValue(ctx *Context, v string) bool {
	switch c.op {
	case opStringEquals, opStringLike:
		return c.anyTemplate(ctx, v, false)
	case opStringEqualsIgnoreCase:
		return c.anyTemplate(ctx, v, true)
	case opStringNotEquals, opStringNotLike:
		return c.noTemplate(ctx, v, false)
	case opStringNotEqualsIgnoreCase:
		return c.noTemplate(ctx, v, true)
	case opBool:
		return c.matchBool(ctx, v)
	case opBinaryEquals:
		// The reference compares the base64 text; canonical base64 of equal bytes is equal text.
		for i := range c.vals {
			if c.vals[i].raw == v {
				return true
			}
		}
		return false
	case opNumericEquals, opNumericNotEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		return c.compare(jsParseNumber(v))
	case opDateEquals, opDateNotEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		return c.compare(parseDate(v))
	case opIPAddress, opNotIPAddress:
		want := c.op == opIPAddress
		req := parseRequestIP(v)
		for i := range c.vals {
			m := c.vals[i].ip.check(req, want)
			if want && m {
				return true
			}
			if !want && !m {
				return false
			}
		}
		return !want
	case opArnEquals, opArnLike, opArnNotEquals, opArnNotLike:
		want := c.op == opArnEquals || c.op == opArnLike
		req := splitARN(v)
		for i := range c.vals {
			matched, ok := c.vals[i].arn.match(ctx, &req)
			if want && ok && matched {
				return true
			}
			if !want && (!ok || matched) {
				return false
			}
		}
		return !want
	}
	return false
}

// anyTemplate: some policy value equals (or is like) v.
func (c *compiledCondition) anyTemplate(ctx *Context, v string, fold bool) bool {
	var buf [16]tok
	for i := range c.vals {
		toks, st := c.vals[i].tmpl.resolve(ctx, buf[:])
		if st == resolved && globMatch(toks, v, fold) {
			return true
		}
	}
	return false
}

// noTemplate: no policy value equals (or is like) v, and every value could be resolved.
func (c *compiledCondition) noTemplate(ctx *Context, v string, fold bool) bool {
	var buf [16]tok
	for i := range c.vals {
		toks, st := c.vals[i].tmpl.resolve(ctx, buf[:])
		switch st {
		case unresolvable:
			return false
		case resolved:
			if globMatch(toks, v, fold) {
				return false
			}
		}
	}
	return true
}

var (
	boolTrue  = []tok{{kind: tokLit, s: "true"}}
	boolFalse = []tok{{kind: tokLit, s: "false"}}
)

// matchBool: both sides must be "true" or "false" (in any case), and equal.
func (c *compiledCondition) matchBool(ctx *Context, v string) bool {
	if !globMatch(boolTrue, v, true) && !globMatch(boolFalse, v, true) {
		return false
	}
	var buf [16]tok
	for i := range c.vals {
		toks, st := c.vals[i].tmpl.resolve(ctx, buf[:])
		if st == resolved && globMatch(toks, v, true) {
			return true
		}
	}
	return false
}

// compare applies a Numeric or Date operator; NaN (not a number or date) never compares.
func (c *compiledCondition) compare(req float64) bool {
	if c.op.negated() {
		if math.IsNaN(req) {
			return false
		}
		for i := range c.vals {
			p := c.vals[i].num
			if math.IsNaN(p) || p == req {
				return false
			}
		}
		return true
	}
	if math.IsNaN(req) {
		return false
	}
	for i := range c.vals {
		p := c.vals[i].num
		if math.IsNaN(p) {
			continue
		}
		var ok bool
		switch c.op {
		case opNumericEquals, opDateEquals:
			ok = req == p
		case opNumericLessThan, opDateLessThan:
			ok = req < p
		case opNumericLessThanEquals, opDateLessThanEquals:
			ok = req <= p
		case opNumericGreaterThan, opDateGreaterThan:
			ok = req > p
		case opNumericGreaterThanEquals, opDateGreaterThanEquals:
			ok = req >= p
		}
		if ok {
			return true
		}
	}
	return false
}

// ---- Numbers ----

// jsParseNumber parses as the reference does: parseFloat when the text has a '.', else
// parseInt(text, 10). Both read the longest numeric prefix after leading white space
// ("12abc" is 12); no number gives NaN.
func jsParseNumber(s string) float64 {
	s = strings.TrimLeftFunc(s, isJSSpace)
	if strings.IndexByte(s, '.') >= 0 {
		return jsParseFloat(s)
	}
	return jsParseInt(s)
}

func jsParseInt(s string) float64 {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s[:j], 64) // the digits are well-formed; a range error gives ±Inf
	return f
}

func jsParseFloat(s string) float64 {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	j := i
	digits := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
			digits++
		}
		j = k
	}
	if digits == 0 {
		return math.NaN()
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		e := k
		for e < len(s) && s[e] >= '0' && s[e] <= '9' {
			e++
		}
		if e > k {
			j = e
		}
	}
	num := s[:j]
	if strings.HasSuffix(num, ".") {
		num += "0" // "1." is 1 in JavaScript; strconv wants a digit
	}
	if strings.HasPrefix(num[i:], ".") {
		num = num[:i] + "0" + num[i:]
	}
	f, _ := strconv.ParseFloat(num, 64)
	return f
}

// ---- Dates ----

// parseDate returns a date as milliseconds since the epoch, or NaN. A value is either epoch
// seconds (an integer written as JavaScript would print it) or an ISO 8601 date of the
// forms AWS documents: 2020-01-02, 2020-01, 2020-01-02T03:04Z, 2020-01-02T03:04:05.678+01:00
// ("t", "z" and a space separator accepted; no zone means UTC; fractions kept to the
// millisecond, as JavaScript keeps them).
//
// The reference simulator compares epoch values in seconds with ISO dates in milliseconds,
// which AWS does not: "DateGreaterThan 1700000000" is 2023-11-14, not 1970-01-20.
func parseDate(s string) float64 {
	if secs, ok := epochSeconds(s); ok {
		return secs * 1000
	}
	if ms, ok := parseISODate(s); ok {
		return ms
	}
	return math.NaN()
}

// epochSeconds accepts an integer only in the form JavaScript prints it (no sign but '-',
// no leading zeros, exactly representable).
func epochSeconds(s string) (float64, bool) {
	d := strings.TrimPrefix(s, "-")
	if d == "" || d[0] == '0' && (len(d) > 1 || len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Abs(f) >= 1e21 || strconv.FormatFloat(f, 'f', -1, 64) != s {
		return 0, false
	}
	return f, true
}

func parseISODate(s string) (float64, bool) {
	year, ok := digits(s, 4)
	if !ok || len(s) < 7 || s[4] != '-' {
		return 0, false
	}
	month, ok := digits(s[5:], 2)
	if !ok || month < 1 || month > 12 {
		return 0, false
	}
	rest := s[7:]
	if rest == "" {
		return dateMillis(year, month, 1, 0, 0, 0, 0, 0), true // 2020-01
	}
	if rest[0] != '-' {
		return 0, false
	}
	day, ok := digits(rest[1:], 2)
	if !ok || day < 1 || day > 31 {
		return 0, false
	}
	rest = rest[3:]
	if rest == "" || rest == "Z" || rest == "z" {
		return dateMillis(year, month, day, 0, 0, 0, 0, 0), true // 2020-01-02
	}
	if c := rest[0]; c != 'T' && c != 't' && c != ' ' {
		return 0, false
	}
	rest = rest[1:]
	hour, ok := digits(rest, 2)
	if !ok || len(rest) < 5 || rest[2] != ':' {
		return 0, false
	}
	minute, ok := digits(rest[3:], 2)
	if !ok || minute > 59 {
		return 0, false
	}
	rest = rest[5:]
	sec, millis := 0, 0
	if rest != "" && rest[0] == ':' {
		if sec, ok = digits(rest[1:], 2); !ok || sec > 59 {
			return 0, false
		}
		rest = rest[3:]
		if rest != "" && rest[0] == '.' {
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j == 1 {
				return 0, false
			}
			frac := rest[1:j] + "00"
			millis, _ = digits(frac, 3) // JavaScript keeps milliseconds and drops the rest
			rest = rest[j:]
		}
	}
	if hour > 24 || hour == 24 && (minute != 0 || sec != 0 || millis != 0) {
		return 0, false
	}
	offset := 0 // seconds east of UTC
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case (rest[0] == '+' || rest[0] == '-') && (len(rest) == 6 && rest[3] == ':' || len(rest) == 5):
		oh, ok1 := digits(rest[1:], 2)
		om, ok2 := digits(rest[len(rest)-2:], 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	return dateMillis(year, month, day, hour, minute, sec, millis, offset), true
}

// dateMillis is the UTC time in milliseconds; out-of-range days roll over (2021-02-29 is
// March 1st), as JavaScript's Date does.
func dateMillis(year, month, day, hour, minute, sec, millis, offset int) float64 {
	t := time.Date(year, time.Month(month), day, hour, minute, sec, millis*int(time.Millisecond), time.UTC)
	return float64(t.UnixMilli() - int64(offset)*1000)
}

// digits reads n decimal digits at the start of s.
func digits(s string, n int) (int, bool) {
	if len(s) < n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// ---- IP addresses ----

type ipKind uint8

const (
	ipInvalid ipKind = iota
	ipV4CIDR
	ipV4
	ipV6CIDR
	ipV6
)

type ipPattern struct {
	kind   ipKind
	text   string       // ipV4, ipV6: compared as text, as the reference does
	prefix netip.Prefix // ipV4CIDR
	v6     *big.Int     // ipV6CIDR: the network address
	bits   int          // ipV6CIDR prefix length
}

// requestIP is a request's aws:SourceIp (or other IP key) value, classified once.
type requestIP struct {
	text string
	v4   bool
	v6   bool
	addr netip.Addr // v4
}

func parseRequestIP(s string) requestIP {
	r := requestIP{text: s}
	if isIPv4(s) {
		r.v4 = true
		r.addr, _ = netip.ParseAddr(s)
		return r
	}
	r.v6 = isIPv6(s)
	return r
}

func compileIPPattern(s string) ipPattern {
	if ip, bits, ok := strings.Cut(s, "/"); ok && isIPv4(ip) && isCIDRBits(bits) {
		n, _ := strconv.Atoi(bits)
		a, _ := netip.ParseAddr(ip)
		return ipPattern{kind: ipV4CIDR, prefix: netip.PrefixFrom(a, n).Masked()}
	}
	if isIPv4(s) {
		return ipPattern{kind: ipV4, text: s}
	}
	if parts := strings.Split(s, "/"); len(parts) == 2 && isIPv6(parts[0]) {
		bits := jsParseInt(strings.TrimLeftFunc(parts[1], isJSSpace))
		if bits >= 0 && bits <= 128 {
			if v := ipv6Value(parts[0]); v != nil {
				return ipPattern{kind: ipV6CIDR, v6: v, bits: int(bits)}
			}
		}
		return ipPattern{}
	}
	if isIPv6(s) {
		return ipPattern{kind: ipV6, text: s}
	}
	return ipPattern{}
}

// check reports whether the request IP is in the pattern (want) or outside it (!want).
// An invalid value on either side matches neither way. A v4 pattern and a v6 request (or
// the reverse) are "outside".
//
// Unlike the reference simulator, 0.0.0.0/0 contains every IPv4 address (the reference's
// 32-bit shift makes a /0 match only 0.0.0.0).
func (p *ipPattern) check(r requestIP, want bool) bool {
	switch p.kind {
	case ipV4CIDR:
		switch {
		case r.v6:
			return !want
		case !r.v4:
			return false
		}
		return p.prefix.Contains(r.addr) == want
	case ipV4:
		return r.v4 && (p.text == r.text) == want
	case ipV6CIDR:
		switch {
		case r.v4:
			return !want
		case !r.v6:
			return false
		}
		v := ipv6Value(r.text)
		if v == nil {
			return false
		}
		return sameNetwork(v, p.v6, p.bits) == want
	case ipV6:
		return r.v6 && (p.text == r.text) == want
	}
	return false
}

// isIPv4 matches dotted quads without leading zeros.
func isIPv4(s string) bool {
	for part := 0; part < 4; part++ {
		if part > 0 {
			if s == "" || s[0] != '.' {
				return false
			}
			s = s[1:]
		}
		n := 0
		for n < len(s) && n < 4 && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n > 3 || n > 1 && s[0] == '0' {
			return false
		}
		if v, _ := strconv.Atoi(s[:n]); v > 255 {
			return false
		}
		s = s[n:]
	}
	return s == ""
}

// isCIDRBits matches 0..32 without leading zeros.
func isCIDRBits(s string) bool {
	if s == "" || len(s) > 2 || len(s) == 2 && s[0] == '0' {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 32
}

// ipv6Pattern is the reference's IPv6 syntax. Its embedded IPv4 part is written with
// '\.' inside a JavaScript string, so the dots match any character, as they do here.
var ipv6Pattern = func() *regexp.Regexp {
	const h = `[0-9A-Fa-f]`
	const dot = `[^\n\r\x{2028}\x{2029}]`
	const octet = `(25[0-5]|(2[0-4]|1{0,1}[0-9])?[0-9])`
	return regexp.MustCompile(`^(` +
		`((` + h + `{1,4}:){7}(` + h + `{1,4}|:))|` +
		`((` + h + `{1,4}:){1,7}:)|` +
		`((` + h + `{1,4}:){1,6}:` + h + `{1,4})|` +
		`((` + h + `{1,4}:){1,5}(:` + h + `{1,4}){1,2})|` +
		`((` + h + `{1,4}:){1,4}(:` + h + `{1,4}){1,3})|` +
		`((` + h + `{1,4}:){1,3}(:` + h + `{1,4}){1,4})|` +
		`((` + h + `{1,4}:){1,2}(:` + h + `{1,4}){1,5})|` +
		`(` + h + `{1,4}:)((:` + h + `{1,4}){1,6})|` +
		`(:)((:` + h + `{1,4}){1,7}|:)|` +
		`fe80:(:` + h + `{0,4}){0,4}%[0-9a-zA-Z]{1,}|` +
		`::(ffff(:0{1,4}){0,1}:){0,1}` +
		`((` + h + `{1,4}:){1,4}:)?` +
		`(` + octet + dot + `){3,3}` + octet + `|` +
		`(` + h + `{1,4}:){1,4}:` +
		`(` + octet + dot + `){3,3}` + octet +
		`)$`)
}()

func isIPv6(s string) bool {
	if strings.IndexByte(s, ':') < 0 {
		return false
	}
	if !strings.ContainsAny(s, ".%") {
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
			return true // plain hex forms: the same set as the pattern
		}
	}
	return ipv6Pattern.MatchString(s)
}

// ipv6Value is the 128-bit value of an address the IPv6 syntax accepted. Standard forms
// (including embedded IPv4) are read as IPv6 defines them; anything else is expanded the
// way the reference expands it. nil if it cannot be read.
func ipv6Value(s string) *big.Int {
	if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
		b := a.WithZone("").As16()
		return new(big.Int).SetBytes(b[:])
	}
	colons := strings.Count(s, ":")
	missing := 8 - colons
	if strings.Contains(s, "::") {
		missing++
	}
	if missing < 1 && strings.Contains(s, "::") {
		return nil
	}
	switch {
	case strings.HasPrefix(s, "::"):
		s = strings.Replace(s, "::", strings.Repeat("0:", missing), 1)
	case strings.HasSuffix(s, "::"):
		s = strings.Replace(s, "::", strings.Repeat(":0", missing), 1)
	case strings.Contains(s, "::"):
		s = strings.Replace(s, "::", ":"+strings.Repeat("0:", missing-1), 1)
	}
	v := new(big.Int)
	for _, part := range strings.Split(s, ":") {
		n, ok := jsParseHex(part)
		if !ok {
			return nil
		}
		v.Lsh(v, 16)
		v.Add(v, new(big.Int).SetUint64(n))
	}
	return v
}

// jsParseHex is parseInt(s, 16) for the short parts of an address.
func jsParseHex(s string) (uint64, bool) {
	s = strings.TrimLeftFunc(s, isJSSpace)
	var n uint64
	i := 0
	for ; i < len(s) && i < 15; i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return n, i > 0
		}
		n = n<<4 | uint64(d)
	}
	return n, i > 0
}

// sameNetwork compares a and b above the low 128-bits bits, as the reference's BigInt mask
// (-1 << (128 - bits)) does.
func sameNetwork(a, b *big.Int, bits int) bool {
	shift := uint(128 - bits)
	return new(big.Int).Rsh(a, shift).Cmp(new(big.Int).Rsh(b, shift)) == 0
}

// ---- ARN condition values ----

// arnPattern is an ArnLike/ArnEquals value: each of partition, service, region, account
// and resource is matched separately, case-sensitively, with wildcards and variables.
type arnPattern struct {
	valid bool
	parts [5]template
}

func compileARNPattern(s string, vars bool) *arnPattern {
	seg, n := splitPolicyARN(s, vars)
	p := &arnPattern{valid: n >= 5}
	for i := range p.parts {
		p.parts[i] = compileTemplate(seg[i+1], vars, true)
	}
	return p
}

// match reports whether the request ARN matches; ok is false when the policy value or the
// request value is not an ARN, or a variable cannot be resolved (then neither ArnLike nor
// ArnNotLike matches).
func (p *arnPattern) match(ctx *Context, req *arn) (matched, ok bool) {
	if !p.valid || req.segments < 5 {
		return false, false
	}
	var buf [16]tok
	for i := range p.parts {
		toks, st := p.parts[i].resolve(ctx, buf[:])
		switch st {
		case unresolvable:
			return false, false
		case resolvesToNothing:
			return false, true
		}
		var s string
		if i < 4 {
			s = req.segment(i)
		} else {
			s = req.resource
		}
		if !globMatch(toks, s, false) {
			return false, true
		}
	}
	return true, true
}
