package simcase

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/internal/catalog"
)

const (
	user    = "arn:aws:iam::111122223333:user/alice"
	session = "arn:aws:sts::111122223333:assumed-role/app/s1"
	object  = "arn:aws:s3:::reports/q1.csv"
)

// testCase builds a case with one identity policy.
func testCase(policy, action, resource string, ctx map[string]ContextValue) *Case {
	if ctx == nil {
		ctx = map[string]ContextValue{}
	}
	return &Case{
		IdentityPolicies: []NamedPolicy{{Name: "p", Policy: json.RawMessage(policy)}},
		Request: Request{Principal: user, Action: action,
			Resource: Resource{Resource: resource, AccountID: "111122223333"}, ContextVariables: ctx},
	}
}

const allowS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func TestSimulate(t *testing.T) {
	tagPolicy := func(op string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"` + op + `":{"aws:TagKeys":"env"}}}]}`
	}
	instance := "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
	tests := []struct {
		name    string
		c       *Case
		edit    func(*Case)
		want    string // decision
		wantErr string
	}{
		{name: "allowed", c: testCase(allowS3, "s3:GetObject", object, nil), want: "Allowed"},
		{name: "action in another case", c: testCase(allowS3, "S3:getobject", object, nil), want: "Allowed"},
		{name: "policy as a JSON string", c: testCase(mustQuote(allowS3), "s3:GetObject", object, nil), want: "Allowed"},
		{name: "not allowed", c: testCase(allowS3, "ec2:StartInstances", instance, nil), want: "ImplicitlyDenied"},
		{name: "action without a colon", c: testCase(allowS3, "s3GetObject", object, nil), wantErr: `request.action: "s3GetObject" is not of the form service:Action`},
		{name: "action with two colons", c: testCase(allowS3, "s3:Get:Object", object, nil), wantErr: "not of the form"},
		{name: "unknown service", c: testCase(allowS3, "s4:GetObject", object, nil), wantErr: `unknown service "s4"`},
		{name: "unknown action", c: testCase(allowS3, "s3:GetObjet", object, nil), wantErr: `unknown action "s3:GetObjet"`},
		{name: "wildcard-only action with an ARN", c: testCase(allowS3, "s3:ListAllMyBuckets", object, nil), wantErr: `s3:ListAllMyBuckets has no resource types, so its resource must be "*"`},
		{name: "wildcard-only action", c: testCase(allowS3, "s3:ListAllMyBuckets", "*", nil), want: "Allowed"},
		{name: "resource pattern", c: testCase(allowS3, "s3:GetObject", "arn:aws:s3:::reports/*", nil), wantErr: "is a pattern"},
		{name: "resource of another type", c: testCase(allowS3, "s3:GetObject", "arn:aws:s3:::reports", nil), wantErr: "none of the resource types of s3:GetObject"},
		{name: "missing resource", c: testCase(allowS3, "s3:GetObject", "", nil), wantErr: "request.resource.resource: missing"},
		{name: "missing principal", c: testCase(allowS3, "s3:GetObject", object, nil), edit: func(c *Case) { c.Request.Principal = "" }, wantErr: "request.principal: missing"},
		{name: "bad identity policy", c: testCase(`{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`, "s3:GetObject", object, nil), wantErr: "identityPolicies[0] (p): $.Statement[0].Effect"},
		{name: "malformed policy JSON", c: testCase(`"{not json"`, "s3:GetObject", object, nil), wantErr: "identityPolicies[0] (p)"},
		{name: "missing policy", c: testCase(`null`, "s3:GetObject", object, nil), wantErr: "identityPolicies[0] (p): policy is missing"},
		{name: "session policy for a user", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit:    func(c *Case) { c.SessionPolicy = json.RawMessage(allowS3) },
			wantErr: "sessionPolicy: principal \"" + user + "\" is not a role"},
		{name: "session policy limits a role session", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit: func(c *Case) {
				c.Request.Principal = session
				c.SessionPolicy = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
			}, want: "ImplicitlyDenied"},
		{name: "SCP levels must all allow", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit: func(c *Case) {
				c.ServiceControlPolicies = []OrgPolicies{
					{OrgIdentifier: "r-root", Policies: []NamedPolicy{{Name: "all", Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}}},
					{OrgIdentifier: "ou-1", Policies: []NamedPolicy{{Name: "ec2", Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)}}},
				}
			}, want: "ImplicitlyDenied"},
		{name: "bad SCP names its level", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit: func(c *Case) {
				c.ServiceControlPolicies = []OrgPolicies{{OrgIdentifier: "ou-1", Policies: []NamedPolicy{{Name: "x", Policy: json.RawMessage(`{}`)}}}}
			}, wantErr: "serviceControlPolicies[0] (ou-1).policies[0] (x)"},
		{name: "RCP deny", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit: func(c *Case) {
				c.ResourceControlPolicies = []OrgPolicies{{OrgIdentifier: "r-root", Policies: []NamedPolicy{{Name: "rcp",
					Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`)}}}}
			}, want: "ExplicitlyDenied"},
		{name: "RCP level without policies keeps the default full access", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit: func(c *Case) { c.ResourceControlPolicies = []OrgPolicies{{OrgIdentifier: "r-root"}} }, want: "Allowed"},
		{name: "resource policy alone, same account", c: testCase(allowS3, "s3:GetObject", object, nil),
			edit: func(c *Case) {
				c.IdentityPolicies = nil
				c.ResourcePolicy = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + user + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`)
			}, want: "Allowed"},
		{name: "array-typed key given as a string is multi-valued", c: testCase(tagPolicy("ForAnyValue:StringEquals"), "ec2:CreateTags", instance, map[string]ContextValue{"aws:TagKeys": Single("env")}), want: "Allowed"},
		{name: "single-valued operator on a multi-valued key", c: testCase(tagPolicy("StringEquals"), "ec2:CreateTags", instance, map[string]ContextValue{"aws:TagKeys": Single("env")}), want: "ImplicitlyDenied"},
		{name: "single-valued key with two values", c: testCase(allowS3, "s3:GetObject", object, map[string]ContextValue{"aws:username": Multi("a", "b")}),
			wantErr: `request.contextVariables["aws:username"]: the key is single-valued (String) but has 2 values`},
		{name: "single-valued key as a one-element array", c: testCase(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}]}`,
			"s3:GetObject", object, map[string]ContextValue{"aws:username": Multi("a")}), want: "Allowed"},
		{name: "empty context key", c: testCase(allowS3, "s3:GetObject", object, map[string]ContextValue{"": Single("x")}), wantErr: "empty key"},
	}
	tr := NewTranslator(catalog.Default())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.edit != nil {
				tt.edit(tt.c)
			}
			res, err := tr.Simulate(tt.c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Decision.String(); got != tt.want {
				t.Fatalf("decision %s, want %s", got, tt.want)
			}
		})
	}
}

func mustQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestTranslatorCachesPolicies(t *testing.T) {
	tr := NewTranslator(catalog.Default())
	a, _, err := tr.Translate(testCase(allowS3, "s3:GetObject", object, nil))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := tr.Translate(testCase(allowS3, "s3:PutObject", object, nil))
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity[0].Policy != b.Identity[0].Policy {
		t.Error("the same policy bytes were parsed twice")
	}
	// The same bytes as another kind are another policy.
	c := testCase(allowS3, "s3:GetObject", object, nil)
	c.PermissionBoundaryPolicies = []NamedPolicy{{Name: "b", Policy: json.RawMessage(allowS3)}}
	ps, _, err := tr.Translate(c)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Boundaries[0].Policy == ps.Identity[0].Policy {
		t.Error("a boundary shares the identity policy parsed from the same bytes")
	}
}

// TestRunBatchAnswersWhileStreaming feeds one case at a time and waits for each answer
// before writing the next, as the differential test's long-lived use needs: answers must not
// sit in a buffer while the input is idle.
func TestRunBatchAnswersWhileStreaming(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- RunBatch(ctx, NewTranslator(catalog.Default()), inR, outW)
		outW.Close()
	}()
	answers := bufio.NewReader(outR)
	for i, c := range []struct{ line, want string }{
		{mustLine(testCase(allowS3, "s3:GetObject", object, nil)), `{"result":"Allowed"}`},
		{"", ""}, // blank lines are skipped, not answered
		{mustLine(testCase(allowS3, "ec2:StartInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", nil)), `{"result":"ImplicitlyDenied"}`},
		{`{"request":`, `{"error":"decoding case: unexpected EOF"}`},
	} {
		if _, err := io.WriteString(inW, c.line+"\n"); err != nil {
			t.Fatal(err)
		}
		if c.want == "" {
			continue
		}
		got := make(chan string, 1)
		go func() {
			l, _ := answers.ReadString('\n')
			got <- strings.TrimSpace(l)
		}()
		select {
		case g := <-got:
			if g != c.want {
				t.Errorf("case %d: answer %s, want %s", i, g, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("case %d: no answer while the input is idle", i)
		}
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func mustLine(c *Case) string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	return string(b)
}
