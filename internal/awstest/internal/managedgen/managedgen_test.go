package managedgen

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	src := `{
  "ZetaAccess": {"arn": "arn:aws:iam::aws:policy/service-role/ZetaAccess", "latestVersionId": "v2", "versionsCount": 2,
    "versions": {"v1": {"createdDate": "2020-01-01T00:00:00.000Z", "document": {"Statement": []}},
                 "v2": {"createdDate": "2021-01-01T00:00:00.000Z", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "z:*", "Resource": "*"}]}}},
    "createdDate": "2020-01-01T00:00:00.000Z", "lastUpdatedDate": "2021-01-01T00:00:00.000Z"},
  "AlphaAccess": {"arn": "arn:aws:iam::aws:policy/AlphaAccess", "latestVersionId": "v1", "versionsCount": 1,
    "versions": {"v1": {"createdDate": "2019-01-01T00:00:00.000Z", "document": {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "a:*", "Resource": "*"}}}},
    "createdDate": "2019-01-01T00:00:00.000Z", "lastUpdatedDate": "2019-01-01T00:00:00.000Z"}
}`
	got, err := Build(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	// Sorted by name, default version only, compact, element order kept.
	if !strings.HasPrefix(s, `[{"name":"AlphaAccess"`) || strings.Index(s, "AlphaAccess") > strings.Index(s, "ZetaAccess") {
		t.Fatalf("not sorted: %s", s)
	}
	if !strings.Contains(s, `"version":"v2","versions":2`) || !strings.Contains(s, `"document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"z:*","Resource":"*"}]}`) {
		t.Fatalf("default document: %s", s)
	}
	again, _ := Build(strings.NewReader(src))
	if !bytes.Equal(got, again) {
		t.Fatal("Build is not deterministic")
	}
	gz, err := Compress(got)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(zr)
	if !bytes.Equal(back, got) {
		t.Fatal("Compress does not round-trip")
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"not JSON", `[`, "decoding managed policies"},
		{"missing default", `{"P": {"arn": "arn:aws:iam::aws:policy/P", "latestVersionId": "v3", "versions": {}}}`, "default version v3 missing"},
		{"foreign ARN", `{"P": {"arn": "arn:aws:iam::123:policy/P", "latestVersionId": "v1", "versions": {"v1": {"document": {}}}}}`, "unexpected ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Build(strings.NewReader(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
