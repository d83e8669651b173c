package iam

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string
	}{
		{
			name: "casing, dedupe, sort, single values as strings",
			kind: KindManaged,
			doc: `{"Version":"2012-10-17","Statement":{"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b","arn:aws:s3:::b"],
				"Action":["S3:getobject","s3:GetObject","s3:ListBucket","S3:Get*"],"Effect":"Allow"}}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`,
		},
		{
			name: "conditions: operator and key casing, values sorted, scalars as strings",
			kind: KindManaged,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{
				"bool":{"AWS:securetransport":false},"forAnyValue:stringlikeifexists":{"aws:principaltag/Team":["b","a","b"]}}}]}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"},"ForAnyValue:StringLikeIfExists":{"aws:PrincipalTag/Team":["a","b"]}}}]}`,
		},
		{
			name: "statements sorted and duplicates removed; html characters kept",
			kind: KindManaged,
			doc: `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:UserAgent":"a&b<c>"}}},
				{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"},
				{"Effect":"Allow","Action":"ec2:describeinstances","Resource":["*"]}]}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"},{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:UserAgent":"a&b<c>"}}}]}`,
		},
		{
			name: "trust policy principals",
			kind: KindTrust,
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"],"AWS":["arn:aws:iam::2:root","arn:aws:iam::1:root"]},"Action":"sts:AssumeRole"}]}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","arn:aws:iam::2:root"],"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tt.doc), tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Canonical:\n got %s\nwant %s", got, tt.want)
			}
			again, err := CanonicalJSON(got, tt.kind)
			if err != nil {
				t.Fatalf("canonical form does not parse: %v", err)
			}
			if string(again) != string(got) {
				t.Errorf("not idempotent:\n first %s\nsecond %s", got, again)
			}
		})
	}
}

func TestEqualJSON(t *testing.T) {
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
	b := `{"Statement":[{"Resource":["*"],"Action":"iam:*","Effect":"Deny"},{"Effect":"Allow","Action":["S3:GETOBJECT","s3:listbucket"],"Resource":"*"}],"Version":"2012-10-17"}`
	c := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"*"}]}`
	if !EqualJSON([]byte(a), []byte(b), KindManaged) {
		t.Error("reordered, recased document should be equal")
	}
	if EqualJSON([]byte(a), []byte(c), KindManaged) {
		t.Error("different documents compare equal")
	}
}

func FuzzParseCanonical(f *testing.F) {
	seeds := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*",1,true]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, kind := range []Kind{KindManaged, KindTrust} {
			p, err := Parse(doc, kind)
			if err != nil {
				continue
			}
			c1 := Canonical(p)
			p2, err := Parse(c1, kind)
			if err != nil {
				t.Fatalf("canonical form does not parse: %v\n%s", err, c1)
			}
			if c2 := Canonical(p2); string(c1) != string(c2) {
				t.Fatalf("canonical form not idempotent:\n%s\n%s", c1, c2)
			}
			if !Equal(p, p2) {
				t.Fatal("policy not semantically equal to its canonical form")
			}
		}
	})
}

func TestWriteJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "a&b<c>", "é日本", "\u2028\u2029", "bad\xffutf8", "${aws:username}"} {
		var got bytes.Buffer
		writeJSONString(&got, s)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if w := strings.TrimSuffix(want.String(), "\n"); got.String() != w {
			t.Errorf("writeJSONString(%q) = %s, want %s", s, got.String(), w)
		}
	}
}
