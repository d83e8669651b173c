package catalog

import (
	"slices"
	"testing"
)

func TestSuggest(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		in    string
		first string   // "" means no suggestion at all
		also  []string // must appear somewhere in the top 5
	}{
		{"s3:GetObjet", "s3:GetObject", nil},
		{"s3:getobjectt", "s3:GetObject", nil},
		{"S3:GETOBJCET", "s3:GetObject", nil}, // swapped letters count once
		{"s4:GetObject", "s3:GetObject", nil},
		{"lamda:InvokeFunction", "lambda:InvokeFunction", nil},
		{"iam:PasRole", "iam:PassRole", nil},
		{"ec2:DescribeInstance", "ec2:DescribeInstances", nil},
		{"GetObject", "", []string{"s3:GetObject"}}, // no service: exact action names across services
		{"iam:Zzzzzzzzzzzz", "", nil},
		{"nosuchthing:Qqqqqqqq", "", nil},
	} {
		got := c.Suggest(tc.in, 5)
		switch {
		case tc.first != "" && (len(got) == 0 || got[0] != tc.first):
			t.Errorf("Suggest(%q) = %v, want %s first", tc.in, got, tc.first)
		case tc.first == "" && tc.also == nil && len(got) != 0:
			t.Errorf("Suggest(%q) = %v, want nothing", tc.in, got)
		}
		for _, a := range tc.also {
			if !slices.Contains(got, a) {
				t.Errorf("Suggest(%q) = %v, want %s among them", tc.in, got, a)
			}
		}
		if len(got) > 5 {
			t.Errorf("Suggest(%q, 5) gave %d", tc.in, len(got))
		}
	}
	if got := c.Suggest("s3:GetObjet", 0); got != nil {
		t.Errorf("Suggest(n=0) = %v", got)
	}
}

func TestSuggestService(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ in, first string }{
		{"s4", "s3"},
		{"lamda", "lambda"},
		{"dynamo", "dynamodb"},
		{"IAM", "iam"},
		{"qqqqqqqqqqqq", ""},
	} {
		got := c.SuggestService(tc.in, 3)
		if tc.first == "" {
			if len(got) != 0 {
				t.Errorf("SuggestService(%q) = %v, want nothing", tc.in, got)
			}
			continue
		}
		if len(got) == 0 || got[0] != tc.first {
			t.Errorf("SuggestService(%q) = %v, want %s first", tc.in, got, tc.first)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0},
		{"abc", "abc", 3, 0},
		{"abc", "abd", 3, 1},
		{"abc", "acb", 3, 1},
		{"getobject", "getobjet", 3, 1},
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 3}, // past the limit: limit+1
		{"a", "abcdef", 2, 3},
	} {
		if got := EditDistance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("EditDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}
