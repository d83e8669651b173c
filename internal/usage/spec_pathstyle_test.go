package usage

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestCustomEndpointUsesPathStyle(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	tests := []struct {
		name string
		cfg  aws.Config
		want bool
	}{
		{"AWS's own endpoints", aws.Config{Region: "us-east-1"}, false},
		{"custom endpoint (the sandbox)", aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:4566")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s3.NewFromConfig(tt.cfg, customEndpointPathStyle(tt.cfg))
			if got := c.Options().UsePathStyle; got != tt.want {
				t.Errorf("UsePathStyle = %v, want %v", got, tt.want)
			}
		})
	}
}
