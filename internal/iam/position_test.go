package iam

import (
	"errors"
	"testing"
)

func TestPositionIndex(t *testing.T) {
	doc := []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket",
                 "s3:GetObjet"],
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}}
    }
  ]
}`)
	x, err := NewPositionIndex(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path      string
		line, col int
	}{
		{"$", 1, 1},
		{"$.Version", 2, 14},
		{"$.Statement", 3, 16},
		{"$.Statement[0]", 4, 5},
		{"$.Statement[0].Action[0]", 6, 18},
		{"$.Statement[0].Action[1]", 7, 18},
		{"$.Statement[0].Resource", 8, 19},
		{"$.Statement[0].Condition.StringEquals.aws:PrincipalTag/team", 9, 63},
		{"$.Statement[0].Condition.StringEquals.aws:PrincipalTag/team[1]", 9, 69},
		{"$.Statement[0].NotResource", 4, 5}, // absent: its statement
		{"$.Statement[3]", 3, 16},            // absent: the list
	} {
		got, ok := x.Lookup(tc.path)
		if !ok || got.Line != tc.line || got.Column != tc.col {
			t.Errorf("Lookup(%s) = %d:%d %v, want %d:%d", tc.path, got.Line, got.Column, ok, tc.line, tc.col)
		}
	}
	// A single statement object has the path the parser gives it.
	x, _ = NewPositionIndex([]byte(`{"Statement":{"Effect":"Allow"}}`))
	if got, ok := x.Lookup("$.Statement.Effect"); !ok || got.Column != 24 {
		t.Errorf("single statement: got %v %v, want column 24", got, ok)
	}
}

func TestPositionIndexSyntaxError(t *testing.T) {
	x, err := NewPositionIndex([]byte("{\n  \"a\": tru\n}"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 {
		t.Fatalf("err = %v, want a SyntaxError on line 2", err)
	}
	if _, ok := x.Lookup("$"); ok {
		t.Error("an index of invalid JSON should be empty")
	}
}
