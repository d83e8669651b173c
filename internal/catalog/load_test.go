package catalog

import (
	"bytes"
	"sync"
	"testing"
)

func TestASCIILower(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"s3:GetObject", "s3:getobject", true},
		{"EC2:DescribeInstances@[]{}", "ec2:describeinstances@[]{}", true},
		{"iam:Pässe", "", false},
	}
	for _, tc := range tests {
		got, ok := asciiLower(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("asciiLower(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestConditionKeyIndexConcurrent: the condition key index is built on first use; callers
// racing to be first all get the answer.
func TestConditionKeyIndexConcurrent(t *testing.T) {
	c, err := Load(bytes.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			if k, ok := c.ConditionKey("s3:ExistingObjectTag/Project"); !ok || k.Global {
				errs <- "s3:ExistingObjectTag/Project not found as a service key"
			}
			if k, ok := c.ConditionKey("AWS:SourceIp"); !ok || !k.Global {
				errs <- "aws:SourceIp not found as a global key"
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
