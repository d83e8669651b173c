package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestPolicyDocumentSemanticEquals(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`
	tests := []struct {
		name string
		a, b PolicyDocument
		want bool
	}{
		{"same text", NewPolicyDocument(base), NewPolicyDocument(base), true},
		{"key order, case, whitespace, string for a list", NewPolicyDocument(base),
			NewPolicyDocument("{\n \"Statement\": {\"Resource\": [\"*\"], \"Action\": \"S3:getobject\", \"Effect\": \"Allow\"},\n \"Version\": \"2012-10-17\"\n}"), true},
		{"duplicate statements", NewPolicyDocument(base),
			NewPolicyDocument(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), true},
		{"another action", NewPolicyDocument(base),
			NewPolicyDocument(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"*"}]}`), false},
		{"not JSON", NewPolicyDocument(base), NewPolicyDocument("{"), false},
		{"null", NewPolicyDocument(base), PolicyDocument{StringValue: types.StringNull()}, false},
		{"unknown", NewPolicyDocument(base), PolicyDocument{StringValue: types.StringUnknown()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := tt.a.StringSemanticEquals(context.Background(), tt.b)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if got != tt.want {
				t.Errorf("semantic equality = %v, want %v", got, tt.want)
			}
		})
	}
}
