package scan

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awstest"
)

// A user, a group, a role and a policy in the AWS CLI's form: documents as JSON objects.
const cliPage = `{
  "UserDetailList": [{"Path": "/", "UserName": "u", "UserId": "AIDAU", "Arn": "arn:aws:iam::123456789012:user/u", "CreateDate": "2024-01-02T03:04:05+00:00",
    "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}],
    "GroupList": ["g"], "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::123456789012:policy/p"}], "Tags": [{"Key": "team", "Value": "a"}]}],
  "GroupDetailList": [{"Path": "/", "GroupName": "g", "GroupId": "AGPAG", "Arn": "arn:aws:iam::123456789012:group/g", "CreateDate": "2024-01-02T03:04:05Z",
    "GroupPolicyList": [], "AttachedManagedPolicies": []}],
  "RoleDetailList": [{"Path": "/svc/", "RoleName": "r", "RoleId": "AROAR", "Arn": "arn:aws:iam::123456789012:role/svc/r", "CreateDate": "2024-01-02T03:04:05Z",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {"LastUsedDate": "2024-05-01T00:00:00Z", "Region": "eu-west-1"}}],
  "Policies": [{"PolicyName": "p", "PolicyId": "ANPAP", "Arn": "arn:aws:iam::123456789012:policy/p", "Path": "/", "DefaultVersionId": "v2", "AttachmentCount": 1,
    "PermissionsBoundaryUsageCount": 0, "IsAttachable": true, "CreateDate": "2024-01-02T03:04:05Z", "UpdateDate": "2024-01-02T03:04:05Z",
    "PolicyVersionList": [
      {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}, "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2024-01-02T03:04:05Z"},
      {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "2024-01-01T03:04:05Z"}]}],
  "IsTruncated": false
}`

// apiForm rewrites the CLI page with every document URL-encoded in a string, as the API
// returns them.
func apiForm(t *testing.T, page string) string {
	t.Helper()
	var out strings.Builder
	for {
		i := strings.Index(page, `Document": {`)
		if i < 0 {
			out.WriteString(page)
			return out.String()
		}
		start := i + len(`Document": `)
		depth, end := 0, start
		for ; end < len(page); end++ {
			if page[end] == '{' {
				depth++
			} else if page[end] == '}' {
				depth--
				if depth == 0 {
					end++
					break
				}
			}
		}
		out.WriteString(page[:start])
		out.WriteString(`"` + url.PathEscape(page[start:end]) + `"`)
		page = page[end:]
	}
}

func TestReadAuthDetailsForms(t *testing.T) {
	half1 := `{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [], "IsTruncated": true, "Marker": "m"}`
	tests := []struct {
		name string
		data string
	}{
		{"AWS CLI (documents as objects)", cliPage},
		{"API form (URL-encoded documents)", apiForm(t, cliPage)},
		{"pages one after another", half1 + "\n" + cliPage},
		{"pages in an array", "[" + half1 + "," + cliPage + "]"},
	}
	var want []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadAuthDetails([]byte(tt.data), "auth.json")
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Problems) != 0 {
				t.Fatalf("problems: %v", a.Problems)
			}
			if a.ID != "123456789012" || a.Partition != "aws" || len(a.Users) != 1 || len(a.Groups) != 1 || len(a.Roles) != 1 || len(a.Policies) != 1 {
				t.Fatalf("account %s/%s: %d users %d groups %d roles %d policies", a.ID, a.Partition, len(a.Users), len(a.Groups), len(a.Roles), len(a.Policies))
			}
			u, r, p := a.Users[0], a.Roles[0], a.Policies[0]
			if u.Inline[0].Policy == nil || u.Groups[0] != "g" || a.Group("g").Members[0] != u.ARN || u.Tags[0] != (Tag{"team", "a"}) {
				t.Errorf("user: %+v", u)
			}
			if r.Trust == nil || r.Path != "/svc/" || r.LastUsedRegion != "eu-west-1" || r.LastUsed.IsZero() {
				t.Errorf("role: %+v", r)
			}
			if p.DefaultPolicy() == nil || p.DefaultPolicy().Statements[0].Actions[0] != "sqs:SendMessage" || len(p.Versions) != 2 || p.AWSManaged {
				t.Errorf("policy: %+v", p)
			}
			rep, err := Scan(context.Background(), a, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteJSON(&b, rep); err != nil {
				t.Fatal(err)
			}
			if want == nil {
				want = b.Bytes()
			} else if !bytes.Equal(want, b.Bytes()) {
				t.Errorf("the report differs from the CLI form's:\n%s", firstDiff(string(want), b.String()))
			}
		})
	}
}

func TestReadAuthDetailsErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "  \n", "auth.json: empty"},
		{"not JSON", "{\n  \"UserDetailList\": [,]\n}", "auth.json:2:"},
		{"truncated", `{"UserDetailList": [`, "auth.json"},
		{"something else", `{"Users": []}`, "not the output of aws iam get-account-authorization-details"},
		{"wrong type", `{"UserDetailList": {"a": 1}}`, "UserDetailList"},
		{"array of non-objects", `[1, 2]`, "page [0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadAuthDetails([]byte(tt.data), "auth.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestReadAuthDetailsProblems: what cannot be used is reported where it is, and the
// rest is scanned.
func TestReadAuthDetailsProblems(t *testing.T) {
	data := `{"UserDetailList": [
	  {"UserName": "u", "Arn": "arn:aws:iam::123456789012:user/u", "GroupList": ["ghost"],
	   "UserPolicyList": [{"PolicyName": "bad", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}},
	                      {"PolicyName": "good", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}],
	   "AttachedManagedPolicies": [{"PolicyName": "gone", "PolicyArn": "arn:aws:iam::123456789012:policy/gone"}],
	   "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/missing-boundary"}, "CreateDate": "last week"}],
	  "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::999999999999:role/r", "AssumeRolePolicyDocument": 42}],
	  "IsTruncated": true, "Marker": "next"}`
	a, err := ReadAuthDetails([]byte(data), "auth.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range a.Problems {
		got = append(got, p.Where+": "+p.Message)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`user arn:aws:iam::123456789012:user/u inline policy "bad": policy document does not parse`,
		`user arn:aws:iam::123456789012:user/u: group "ghost" is not in the input`,
		`attached policy arn:aws:iam::123456789012:policy/gone is not in the input`,
		`permissions boundary arn:aws:iam::123456789012:policy/missing-boundary is not in the input`,
		`CreateDate: time "last week" is not ISO 8601`,
		`role arn:aws:iam::999999999999:role/r trust policy: document is neither a JSON object nor a string`,
		`belongs to account 999999999999, not 123456789012`,
		`IsTruncated: true (marker "next")`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem %q in:\n%s", want, all)
		}
	}
	if u := a.Users[0]; u.Inline[1].Policy == nil || u.Inline[0].Policy != nil {
		t.Errorf("the good inline policy should parse and the bad one not: %+v", u.Inline)
	}
}

// smallPages makes the live reader ask for two entities a page, to read many pages from
// the sandbox.
type smallPages struct{ c *awsiam.Client }

func (s smallPages) GetAccountAuthorizationDetails(ctx context.Context, in *awsiam.GetAccountAuthorizationDetailsInput, opts ...func(*awsiam.Options)) (*awsiam.GetAccountAuthorizationDetailsOutput, error) {
	in.MaxItems = aws.Int32(2)
	return s.c.GetAccountAuthorizationDetails(ctx, in, opts...)
}

func TestReadAWSPages(t *testing.T) {
	sd, err := awstest.LoadSeed("testdata/escalation_seed.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := awstest.StartWith(t, awstest.Options{Seed: sd})
	ctx := context.Background()
	client := awsiam.NewFromConfig(srv.AdminConfig(ctx))
	var seen []ReadProgress
	paged, err := ReadAWS(ctx, smallPages{client}, func(p ReadProgress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ReadAWS(ctx, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := seen[len(seen)-1]
	if len(seen) < 10 || last.Pages != len(seen) || last.Users != len(whole.Users) || last.Roles != len(whole.Roles) {
		t.Fatalf("progress %+v over %d calls; the account has %d users, %d roles", last, len(seen), len(whole.Users), len(whole.Roles))
	}
	a, b := jsonOf(t, paged), jsonOf(t, whole)
	if !bytes.Equal(a, b) {
		t.Fatalf("reading two entities a page gives another report:\n%s", firstDiff(string(a), string(b)))
	}
}

func jsonOf(t *testing.T, a *Account) []byte {
	t.Helper()
	r, err := Scan(context.Background(), a, Options{Source: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
