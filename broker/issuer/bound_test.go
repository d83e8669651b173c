package issuer

import (
	"testing"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

func TestBoundPolicy(t *testing.T) {
	end := time.Date(2030, 5, 6, 7, 8, 9, 900e6, time.UTC) // .9s: rounded down
	tests := []struct {
		name, doc, want string
	}{
		{"empty doc allows the role's permissions until the end", "",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-05-06T07:08:09Z"}}}]}`},
		{"every Allow bounded, Deny untouched, other conditions kept",
			`{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
				{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},
				{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"DateLessThan":{"aws:CurrentTime":"2030-05-06T07:08:09Z"}}},` +
				`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-05-06T07:08:09Z"}}},` +
				`{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`},
		{"an earlier end already there wins",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:currenttime":"2030-01-01T00:00:00Z"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}`},
		{"a later end already there is replaced",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":["2031-01-01T00:00:00Z","2020-01-01T00:00:00Z"]}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-05-06T07:08:09Z"}}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BoundPolicy(tc.doc, end)
			if err != nil {
				t.Fatal(err)
			}
			want, err := iam.CanonicalJSON([]byte(tc.want), iam.KindSession)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	if _, err := BoundPolicy(`{"Statement":`, end); err == nil {
		t.Error("broken JSON: no error")
	}
}

// The bound policy decides as AWS would: allowed before the end, denied from it on.
func TestBoundPolicyEvaluates(t *testing.T) {
	end := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	doc, err := BoundPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, end)
	if err != nil {
		t.Fatal(err)
	}
	p := iam.MustParse(doc, iam.KindSession)
	for _, tc := range []struct {
		at   time.Time
		want iam.Decision
	}{
		{end.Add(-time.Second), iam.Allowed},
		{end, iam.ImplicitDeny},
		{end.Add(time.Hour), iam.ImplicitDeny},
	} {
		ctx := iam.NewContext()
		ctx.Set("aws:CurrentTime", tc.at.Format(AWSTimeFormat))
		res := iam.Evaluate(&iam.Request{Principal: "arn:aws:sts::111122223333:assumed-role/R/s", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx},
			&iam.PolicySet{Identity: []iam.NamedPolicy{{Name: "grant", Policy: p}}})
		if res.Decision != tc.want {
			t.Errorf("at %s: %v, want %v", tc.at, res.Decision, tc.want)
		}
	}
}
