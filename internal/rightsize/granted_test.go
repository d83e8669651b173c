package rightsize

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const authDetails = `{
 "UserDetailList": [{"Path": "/", "UserName": "ci", "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::123456789012:user/ci", "CreateDate": "2026-01-01T00:00:00Z",
   "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}}],
   "GroupList": ["ops"],
   "AttachedManagedPolicies": [{"PolicyName": "ci-deploy", "PolicyArn": "arn:aws:iam::123456789012:policy/ci-deploy"}],
   "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/limit"}}],
 "GroupDetailList": [{"Path": "/", "GroupName": "ops", "GroupId": "AGPAEXAMPLE", "Arn": "arn:aws:iam::123456789012:group/ops", "CreateDate": "2026-01-01T00:00:00Z",
   "GroupPolicyList": [{"PolicyName": "ops-inline", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22iam%3AListRoles%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}],
   "AttachedManagedPolicies": []}],
 "RoleDetailList": [],
 "Policies": [
  {"PolicyName": "ci-deploy", "PolicyId": "ANPA1", "Arn": "arn:aws:iam::123456789012:policy/ci-deploy", "Path": "/", "DefaultVersionId": "v2", "AttachmentCount": 1, "IsAttachable": true,
   "PolicyVersionList": [{"Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}, "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2026-01-01T00:00:00Z"},
                         {"Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}, "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "2025-01-01T00:00:00Z"}]},
  {"PolicyName": "limit", "PolicyId": "ANPA2", "Arn": "arn:aws:iam::123456789012:policy/limit", "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 0, "IsAttachable": true,
   "PolicyVersionList": [{"Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","iam:List*","sts:*"],"Resource":"*"}]}, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2026-01-01T00:00:00Z"}]}
 ]}`

func TestReadGrantedFiles(t *testing.T) {
	dir := t.TempDir()
	doc := writeFile(t, dir, "broad.json", allow("s3:*", "*"))
	bound := writeFile(t, dir, "boundary.json", allow("s3:Get*", "*"))
	auth := writeFile(t, dir, "auth.json", authDetails)

	// A plain document, and a boundary.
	gr, err := ReadGrantedFiles(testRole, []string{doc, "boundary=" + bound})
	if err != nil {
		t.Fatal(err)
	}
	if len(gr.Policies) != 1 || gr.Policies[0].Source != SourceFile || gr.Policies[0].Ref() != "file:"+doc ||
		gr.Boundary == nil || gr.Boundary.Policy() == nil {
		t.Fatalf("granted %+v", gr)
	}

	// A bundle written by WriteJSON reads back the same.
	var b bytes.Buffer
	if err := gr.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	bundle := writeFile(t, dir, "bundle.json", b.String())
	again, err := ReadGrantedFiles(testRole, []string{bundle})
	if err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	if err := again.WriteJSON(&b2); err != nil {
		t.Fatal(err)
	}
	if b.String() != b2.String() {
		t.Errorf("bundle round trip:\n%s\nthen\n%s", b.String(), b2.String())
	}

	// Authorization details: a user's own policies, its group's, its boundary; documents as
	// objects and URL-encoded strings; only default versions.
	ci := "arn:aws:iam::123456789012:user/ci"
	gr, err = ReadGrantedFiles(ci, []string{auth})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, p := range gr.Policies {
		refs = append(refs, p.Ref())
	}
	if got := strings.Join(refs, " "); got != "arn:aws:iam::123456789012:policy/ci-deploy inline:own group/ops:inline:ops-inline" {
		t.Errorf("policies %s", got)
	}
	if gr.Boundary == nil || gr.Boundary.ARN != "arn:aws:iam::123456789012:policy/limit" {
		t.Errorf("boundary %+v", gr.Boundary)
	}
	if a := gr.Policies[0].Policy().AllowedActions(); a.Len() > 1000 {
		t.Error("the non-default version (Action *) was read")
	}
}

func TestReadGrantedFilesErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}")
	other := writeFile(t, dir, "other.json", `{"principal":"arn:aws:iam::123456789012:role/other","policies":[]}`)
	unknown := writeFile(t, dir, "unknown.json", `{"hello":"world"}`)
	noAction := writeFile(t, dir, "noaction.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`)
	auth := writeFile(t, dir, "auth.json", authDetails)
	b1 := writeFile(t, dir, "b1.json", allow("s3:*", "*"))
	badSource := writeFile(t, dir, "badsource.json", `{"policies":[{"name":"x","source":"weird","document":{}}]}`)
	encoded := writeFile(t, dir, "enc.json", `{"policies":[{"name":"x","source":"inline","document":"`+url.QueryEscape(allow("s3:GetObject", "*"))+`"}]}`)
	tests := []struct {
		name      string
		principal string
		specs     []string
		want      string
	}{
		{"missing file", testRole, []string{filepath.Join(dir, "nope.json")}, "no such file"},
		{"bad JSON placed", testRole, []string{bad}, "line 4, column 2"},
		{"another principal's bundle", testRole, []string{other}, "the bundle is for arn:aws:iam::123456789012:role/other"},
		{"not a known form", testRole, []string{unknown}, "not a policy document (no Statement)"},
		{"invalid policy named", testRole, []string{noAction}, "granted policy file:" + noAction},
		{"principal not in the details", testRole, []string{auth}, "role " + testRole + " is not in the file"},
		{"two boundaries", testRole, []string{"boundary=" + b1, "boundary=" + b1}, "a second permissions boundary"},
		{"unknown source", testRole, []string{badSource}, `source "weird"`},
		{"not a principal ARN", "role/app", []string{b1}, "not an ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadGrantedFiles(tc.principal, tc.specs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	// A URL-encoded document in a bundle is read.
	gr, err := ReadGrantedFiles(testRole, []string{encoded})
	if err != nil || gr.Policies[0].Policy() == nil {
		t.Errorf("encoded bundle: %v", err)
	}
}
