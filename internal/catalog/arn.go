package catalog

import "strings"

// MatchARN reports whether arn, a concrete ARN or one with IAM wildcards ('*' any run,
// '?' one character), can name a resource of this type: whether some ARN fits both.
//
// In the type's pattern, ${Partition}, ${Region}, ${Account} and the other placeholders
// each stand for one or more characters. Before the resource part they never hold ':'. In
// the resource part they hold neither ':' nor '/', except where AWS names may: a
// placeholder whose name says it is a path (${RoleNameWithPath}, ${ApiGatewayResourcePath}),
// a few known free-form names (${ObjectName}, ${LogGroupName}, ${SecretId}), and the last
// placeholder when it follows a '/' and is not an id (ECR "repository/${RepositoryName}",
// KMS "alias/${Alias}", but not EC2 "instance/${InstanceId}"); those take any characters. So an S3 object ARN does not fit the bucket
// type, while a parent type may fit a child's ARN (see Action.MatchResources for the most
// specific fit). A '*' in the pattern matches anything. Literals, including the service,
// compare case-sensitively, as AWS compares ARNs. In arn, a policy variable such as
// ${aws:username} counts as '*', and ${*}, ${?}, ${$} as the literal characters.
func (rt *ResourceType) MatchARN(arn string) bool {
	if arn == "*" {
		return true
	}
	rt.arnOnce.Do(func() { rt.arnTmpl = compileARNTemplate(rt.ARN) })
	in := parseARNGlob(arn)
	m := arnMatcher{in: in, tm: rt.arnTmpl.toks, memo: make([]int8, (len(in)+1)*(len(rt.arnTmpl.toks)+1))}
	return m.match(0, 0)
}

// arnTemplate is a resource type's ARN pattern compiled for MatchARN.
type arnTemplate struct {
	toks []arnTok
}

type tokKind uint8

const (
	tokLit  tokKind = iota // one literal byte
	tokOne                 // one byte of the class
	tokStar                // any run (possibly empty) of bytes of the class
)

// class lists the bytes a placeholder may not contain.
type class uint8

const (
	noColon class = 1 << iota
	noSlash
)

func (c class) allows(b byte) bool {
	return !(b == ':' && c&noColon != 0) && !(b == '/' && c&noSlash != 0)
}

type arnTok struct {
	kind tokKind
	b    byte  // tokLit
	cls  class // tokOne, tokStar
}

func compileARNTemplate(pattern string) arnTemplate {
	var t arnTemplate
	colons := 0
	for i := 0; i < len(pattern); {
		ch := pattern[i]
		if ch == '$' && i+1 < len(pattern) && pattern[i+1] == '{' {
			if j := strings.IndexByte(pattern[i:], '}'); j > 0 {
				name := pattern[i+2 : i+j]
				end := i + j + 1
				cls := noColon
				if colons >= 5 {
					last := end == len(pattern)
					afterSlash := i > 0 && pattern[i-1] == '/'
					if freeFormPlaceholder(name) || (last && afterSlash && !strings.HasSuffix(name, "Id")) {
						cls = 0
					} else {
						cls |= noSlash
					}
				}
				t.toks = append(t.toks, arnTok{kind: tokOne, cls: cls}, arnTok{kind: tokStar, cls: cls})
				i = end
				continue
			}
		}
		switch ch {
		case '*':
			t.toks = append(t.toks, arnTok{kind: tokStar})
		case ':':
			colons++
			t.toks = append(t.toks, arnTok{kind: tokLit, b: ch})
		default:
			t.toks = append(t.toks, arnTok{kind: tokLit, b: ch})
		}
		i++
	}
	return t
}

// freeFormPlaceholder reports whether a resource-part placeholder may hold '/' and ':'
// wherever it stands in the pattern.
func freeFormPlaceholder(name string) bool {
	switch name {
	case "ObjectName", "LogGroupName", "SecretId":
		return true
	}
	return strings.Contains(strings.ToLower(name), "path")
}

// parseARNGlob turns a policy ARN into tokens: '*' and '?' wildcards, policy variables
// as '*', the ${*} ${?} ${$} escapes as literals.
func parseARNGlob(s string) []arnTok {
	toks := make([]arnTok, 0, len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '$' && i+1 < len(s) && s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				toks = append(toks, arnTok{kind: tokLit, b: ch})
				continue
			}
			switch v := s[i+2 : i+j]; v {
			case "*", "?", "$":
				toks = append(toks, arnTok{kind: tokLit, b: v[0]})
			default:
				toks = append(toks, arnTok{kind: tokStar})
			}
			i += j
		case ch == '*':
			toks = append(toks, arnTok{kind: tokStar})
		case ch == '?':
			toks = append(toks, arnTok{kind: tokOne})
		default:
			toks = append(toks, arnTok{kind: tokLit, b: ch})
		}
	}
	return toks
}

// arnMatcher decides whether two token patterns share a string, by memoised search over
// (input position, template position).
type arnMatcher struct {
	in, tm []arnTok
	memo   []int8 // 0 unknown, 1 yes, 2 no
}

func (m *arnMatcher) match(i, j int) bool {
	k := i*(len(m.tm)+1) + j
	if v := m.memo[k]; v != 0 {
		return v == 1
	}
	r := m.step(i, j)
	m.memo[k] = 2
	if r {
		m.memo[k] = 1
	}
	return r
}

func (m *arnMatcher) step(i, j int) bool {
	ni, nj := len(m.in), len(m.tm)
	switch {
	case i == ni && j == nj:
		return true
	case i < ni && m.in[i].kind == tokStar:
		// The input star ends here, or covers the template token at j (for a template
		// star: that star ends here instead, which loses no shared string).
		return m.match(i+1, j) || (j < nj && m.match(i, j+1))
	case j < nj && m.tm[j].kind == tokStar:
		return m.match(i, j+1) || (i < ni && compatible(m.in[i], m.tm[j]) && m.match(i+1, j))
	case i < ni && j < nj:
		return compatible(m.in[i], m.tm[j]) && m.match(i+1, j+1)
	}
	return false
}

// compatible reports whether a single input token and a template token can match the
// same byte (the input token is a literal or '?'; classes are never empty).
func compatible(in, tm arnTok) bool {
	if in.kind != tokLit {
		return true
	}
	if tm.kind == tokLit {
		return in.b == tm.b
	}
	return tm.cls.allows(in.b)
}

// MatchResources returns the action's resource entries whose type fits arn. For a concrete
// ARN (no wildcards) a type is dropped when a more specific one also fits: one whose
// pattern, without placeholders, extends the other's (an S3 "object" over "bucket", a
// DynamoDB "index" over "table"). A wildcard ARN may name parents and children alike, so
// then every fitting type is kept. Nil when none fits.
func (a *Action) MatchResources(arn string) []ActionResource {
	var out []ActionResource
	for _, r := range a.Resources {
		if r.Type.MatchARN(arn) {
			out = append(out, r)
		}
	}
	if len(out) < 2 || strings.ContainsAny(arn, "*?") || strings.Contains(arn, "${") {
		return out
	}
	kept := out[:0:0]
	for i, r := range out {
		lit := r.Type.literalText()
		parent := false
		for j, o := range out {
			if ol := o.Type.literalText(); j != i && len(ol) > len(lit) && strings.HasPrefix(ol, lit) {
				parent = true
				break
			}
		}
		if !parent {
			kept = append(kept, r)
		}
	}
	return kept
}

// literalText is the ARN pattern without its ${...} placeholders and '*' wildcards.
func (rt *ResourceType) literalText() string {
	var b strings.Builder
	rest := rt.ARN
	for {
		i := strings.Index(rest, "${")
		j := strings.IndexByte(rest[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(strings.ReplaceAll(rest, "*", ""))
			return b.String()
		}
		b.WriteString(strings.ReplaceAll(rest[:i], "*", ""))
		rest = rest[i+j+1:]
	}
}
