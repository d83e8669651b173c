package simcase

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestDecodeLineMatchesDecode checks the fast path against encoding/json on lines with
// policies in every place, strings holding braces and quotes, whitespace, policies as
// strings, and malformed lines.
func TestDecodeLineMatchesDecode(t *testing.T) {
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"a \"}{[\\","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/{x}"}]}`
	req := `"request":{"principal":"p","action":"s3:GetObject","resource":{"resource":"r","accountId":"1"},"contextVariables":{"policy":"x","k":["{","}"]}}`
	lines := []string{
		`{"identityPolicies":[{"name":"a","policy":` + pol + `}],` + req + `}`,
		`{ "identityPolicies" : [ { "name" : "a" , "policy" :` + "\n\t" + pol + ` } ] , ` + req + ` }`,
		`{"identityPolicies":[{"name":"a","policy":` + pol + `},{"name":"b","policy":` + mustQuote(pol) + `}],` +
			`"serviceControlPolicies":[{"orgIdentifier":"r","policies":[{"name":"s","policy":` + pol + `}]}],` +
			`"resourceControlPolicies":[{"orgIdentifier":"r","policies":[{"name":"c","policy":` + pol + `}]}],` +
			`"permissionBoundaryPolicies":[{"name":"pb","policy":` + pol + `}],` +
			`"resourcePolicy":` + pol + `,"sessionPolicy":` + pol + `,` + req + `}`,
		`{"identityPolicies":[{"name":"policy","policy":null}],` + req + `}`,
		// Malformed: the fast path must fall back and report what Decode reports.
		`{"identityPolicies":[{"name":"a","policy":{"Statement":[}],` + req + `}`,
		`{"identityPolicies":[{"name":"a","policy":` + pol + `}],"request":{"contextVariables":{"policy":{"x":1}}}}`,
		`{"identityPolicies":[{"name":"a","policy":` + pol + `}], "extra": 1}`,
		`{"identityPolicies":[{"name":"a","policy":` + pol,
	}
	wantSpans := []int{1, 1, 6, 0}
	for i, line := range lines {
		if i < len(wantSpans) {
			if _, spans, ok := liftPolicies([]byte(line)); !ok || len(spans) != wantSpans[i] {
				t.Errorf("line %d: lifted %d policies (ok %v), want %d", i, len(spans), ok, wantSpans[i])
			}
		}
		want, wantErr := Decode([]byte(line))
		got, gotErr := decodeLine([]byte(line))
		if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
			t.Errorf("line %d: error %v, want %v", i, gotErr, wantErr)
			continue
		}
		if wantErr != nil {
			continue
		}
		// Policies compare as JSON values (the fast path keeps the bytes as written).
		if !reflect.DeepEqual(normalise(t, got), normalise(t, want)) {
			t.Errorf("line %d: decoded differently:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

func normalise(t *testing.T, c *Case) any {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
