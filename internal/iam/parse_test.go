package iam

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseAcceptsAWSForms(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		want *Policy
	}{
		{
			name: "single statement object, string values",
			kind: KindManaged,
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			want: &Policy{Version: Version2012, Statements: []*Statement{{
				Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"*"}, Path: "$.Statement",
			}}},
		},
		{
			name: "lists, NotAction, NotResource, Sid and Id",
			kind: KindManaged,
			doc: `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A","Effect":"Deny",
				"NotAction":["iam:*","sts:*"],"NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`,
			want: &Policy{Version: Version2012, ID: "p1", Statements: []*Statement{{
				Sid: "A", Effect: Deny, Actions: []string{"iam:*", "sts:*"}, NotAction: true,
				Resources: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}, NotResource: true, Path: "$.Statement[0]",
			}}},
		},
		{
			name: "trust policy: principal object, no resource",
			kind: KindTrust,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
				"Principal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"ec2.amazonaws.com"}}]}`,
			want: &Policy{Version: Version2012, Statements: []*Statement{{
				Effect: Allow, Actions: []string{"sts:AssumeRole"}, Path: "$.Statement[0]",
				Principal: &Principal{AWS: []string{"arn:aws:iam::111122223333:root"}, Service: []string{"ec2.amazonaws.com"}},
			}}},
		},
		{
			name: "resource policy: Principal star",
			kind: KindResource,
			doc:  `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Principal":"*","Resource":"arn:aws:s3:::b/*"}]}`,
			want: &Policy{Statements: []*Statement{{
				Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"},
				Principal: &Principal{All: true}, Path: "$.Statement[0]",
			}}},
		},
		{
			name: "conditions: numbers, booleans, lists, qualifiers",
			kind: KindManaged,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{
				"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["env*","team"]},
				"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}]}`,
			want: &Policy{Version: Version2012, Statements: []*Statement{{
				Effect: Allow, Actions: []string{"ec2:*"}, Resources: []string{"*"}, Path: "$.Statement[0]",
				Conditions: []Condition{
					{Operator: "ForAnyValue:StringLikeIfExists", Key: "aws:TagKeys", Values: []string{"env*", "team"}, Base: "StringLike", Set: ForAnyValue, IfExists: true},
					{Operator: "NumericLessThan", Key: "s3:max-keys", Values: []string{"10"}, Base: "NumericLessThan"},
					{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}, Base: "Bool"},
				},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.doc), tt.kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %#v\nwant %#v", got.Statements[0], tt.want.Statements[0])
			}
		})
	}
}

func TestParseRejectsWithPath(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		doc      string
		wantPath string
		wantMsg  string
	}{
		{"not an object", KindManaged, `[]`, "$", "must be a JSON object"},
		{"no statement", KindManaged, `{"Version":"2012-10-17"}`, "$", "no Statement"},
		{"bad version", KindManaged, `{"Version":"2012-10-18","Statement":[]}`, "$.Version", "Version must be"},
		{"empty statement list", KindManaged, `{"Version":"2012-10-17","Statement":[]}`, "$.Statement", "at least one"},
		{"lower-case element", KindManaged, `{"Version":"2012-10-17","statement":[]}`, "$.statement", `did you mean "Statement"`},
		{"unknown statement element", KindManaged, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Actions":"x"}]}`, "$.Statement[0].Actions", "unknown statement element"},
		{"effect case", KindManaged, `{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, "$.Statement[0].Effect", `must be "Allow" or "Deny"`},
		{"missing effect", KindManaged, `{"Statement":[{"Action":"s3:*","Resource":"*"}]}`, "$.Statement[0]", "no Effect"},
		{"action and notaction", KindManaged, `{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}`, "$.Statement[0]", "both Action and NotAction"},
		{"no action", KindManaged, `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "$.Statement[0]", "neither Action nor NotAction"},
		{"no resource in identity policy", KindManaged, `{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, "$.Statement[0]", "neither Resource nor NotResource"},
		{"principal in identity policy", KindInlineRole, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}`, "$.Statement[0]", "must not name a Principal"},
		{"trust without principal", KindTrust, `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "$.Statement[0]", "must name a Principal"},
		{"principal string not star", KindTrust, `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"arn:aws:iam::1:root"}]}`, "$.Statement[0].Principal", `must be "*"`},
		{"unknown principal type", KindTrust, `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"aws":"*"}}]}`, "$.Statement[0].Principal.aws", `did you mean "AWS"`},
		{"non-string action", KindManaged, `{"Statement":[{"Effect":"Allow","Action":["s3:*",3],"Resource":"*"}]}`, "$.Statement[0].Action[1]", "must be a string"},
		{"empty action list", KindManaged, `{"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "$.Statement[0].Action", "must not be empty"},
		{"condition value object", KindManaged, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}]}`, "$.Statement[0].Condition.StringEquals.aws:username", "must be a string, number or boolean"},
		{"condition operator not object", KindManaged, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":"x"}}]}`, "$.Statement[0].Condition.StringEquals", "must map to an object"},
		{"duplicate key", KindManaged, `{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, "", "duplicate key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), tt.kind)
			if err == nil {
				t.Fatal("Parse accepted the document")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if tt.wantPath == "" {
				return
			}
			var pe ParseErrors
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not ParseErrors: %v", err, err)
			}
			for _, e := range pe {
				if e.Path == tt.wantPath {
					return
				}
			}
			t.Errorf("no error at %s: %v", tt.wantPath, err)
		})
	}
}

func TestParseSyntaxErrorPosition(t *testing.T) {
	_, err := Parse([]byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}"), KindManaged)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want *SyntaxError, got %T %v", err, err)
	}
	if se.Line != 3 {
		t.Errorf("line = %d, want 3 (%v)", se.Line, se)
	}
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		op       string
		base     string
		set      SetQualifier
		ifExists bool
		known    bool
	}{
		{"StringEquals", "StringEquals", SingleValued, false, true},
		{"stringequals", "StringEquals", SingleValued, false, true},
		{"ForAllValues:StringLike", "StringLike", ForAllValues, false, true},
		{"ForAnyValue:ArnNotLikeIfExists", "ArnNotLike", ForAnyValue, true, true},
		{"DateGreaterThanIfExists", "DateGreaterThan", SingleValued, true, true},
		{"NullIfExists", "Null", SingleValued, true, false},
		{"StringEqualz", "StringEqualz", SingleValued, false, false},
		{"Sometimes:StringEquals", "Sometimes:StringEquals", SingleValued, false, false},
	}
	for _, tt := range tests {
		base, set, ifExists, known := ParseOperator(tt.op)
		if base != tt.base || set != tt.set || ifExists != tt.ifExists || known != tt.known {
			t.Errorf("ParseOperator(%q) = %q,%v,%v,%v; want %q,%v,%v,%v", tt.op, base, set, ifExists, known, tt.base, tt.set, tt.ifExists, tt.known)
		}
	}
}
