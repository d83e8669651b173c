package usage

import (
	"strings"
	"testing"
	"time"
)

func TestParseEventTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, "" for invalid
	}{
		{"2026-06-02T10:11:12Z", "2026-06-02T10:11:12Z"},
		{"2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"},
		{"1999-12-31T00:00:00Z", "1999-12-31T00:00:00Z"},
		{"2026-06-02T10:11:12.345Z", "2026-06-02T10:11:12Z"},
		{"2026-06-02T12:11:12+02:00", "2026-06-02T10:11:12Z"},
		{"2023-02-29T00:00:00Z", ""},
		{"2026-13-01T00:00:00Z", ""},
		{"2026-06-02 10:11:12", ""},
		{"", ""},
		{"2026-06-0xT10:11:12Z", ""},
	}
	for _, tt := range tests {
		got, ok := parseEventTime([]byte(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("parseEventTime(%q) accepted", tt.in)
			}
			continue
		}
		if !ok || time.Unix(got, 0).UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("parseEventTime(%q) = %v, %v; want %s", tt.in, time.Unix(got, 0).UTC(), ok, tt.want)
		}
	}
}

func parseOne(t *testing.T, s string) (*Record, error) {
	t.Helper()
	sc := &scanner{b: []byte(s)}
	r := &Record{}
	err := sc.parseRecord(r)
	return r, err
}

func TestParseRecordFields(t *testing.T) {
	r, err := parseOne(t, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s",
		"sessionContext":{"attributes":{"mfaAuthenticated":"false"},"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r","extra":[1,{"a":null}]}}},
		"eventTime":"2026-06-02T10:11:12Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1",
		"errorCode":null,"requestParameters":{"bucketName":"b","key":"a\"b\\c\u00e9\ud83d\ude00","versionId":42,"nested":{"key":"no"}},
		"responseElements":{"x":[true,false,null,-1.5e3,"s"]},"resources":[{"ARN":"arn:aws:s3:::b/k","type":"AWS::S3::Object"},{"type":"AWS::S3::Bucket"}],
		"managementEvent":false,"recipientAccountId":"1","eventCategory":"Data"}`)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got []byte, want string) {
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("eventTime", r.EventTime, "2026-06-02T10:11:12Z")
	check("eventSource", r.EventSource, "s3.amazonaws.com")
	check("eventName", r.EventName, "GetObject")
	check("awsRegion", r.AWSRegion, "eu-west-1")
	check("errorCode", r.ErrorCode, "")
	check("identity type", r.Identity.Type, "AssumedRole")
	check("issuer", r.Identity.IssuerARN, "arn:aws:iam::1:role/r")
	check("bucket", r.Params[pBucketName], "b")
	check("key", r.Params[pKey], "a\"b\\cé😀")
	check("versionId (not a string: ignored)", r.Params[pVersionID], "")
	check("category", r.EventCategory, "Data")
	if r.ManagementEvent != 0 {
		t.Errorf("managementEvent %d", r.ManagementEvent)
	}
	if len(r.Resources) != 1 || string(r.Resources[0].ARN) != "arn:aws:s3:::b/k" {
		t.Errorf("resources %q", r.Resources)
	}
}

func TestParseRecordErrors(t *testing.T) {
	deep := strings.Repeat(`{"a":`, maxDepth+5) + "1" + strings.Repeat("}", maxDepth+5)
	tests := []struct {
		name, in, want string
	}{
		{"eventTime not a string", `{"eventTime":20260602}`, "eventTime: want a string"},
		{"missing colon", `{"eventTime" "x"}`, `want ':'`},
		{"bad literal", `{"readOnly":tru}`, "want true"},
		{"trailing comma", `{"a":1,}`, `want '"'`},
		{"bad escape", `{"eventName":"a\qb"}`, `bad escape`},
		{"nested too deep", `{"responseElements":` + deep + `}`, "nested deeper"},
		{"not an object", `[1]`, "want an object"},
		{"userIdentity not an object", `{"userIdentity":"x"}`, "want an object"},
		{"bool as a word", `{"managementEvent":"maybe"}`, "want a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOne(t, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A record cut short asks for more data rather than failing.
	if _, err := parseOne(t, `{"eventTime":"2026-06-02T1`); err != errShort {
		t.Errorf("cut record: %v, want errShort", err)
	}
	if _, err := parseOne(t, `{"readOnly":tr`); err != errShort {
		t.Errorf("cut literal: %v, want errShort", err)
	}
	if _, err := parseOne(t, `{"n":12`); err != errShort {
		t.Errorf("cut number: %v, want errShort", err)
	}
}

func TestResync(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`{"a":"}"} rest`, 9},
		{`{"a":{"b":[1,2]},"c":"\"}"}, next`, 27},
		{`"str", next`, 5},
		{`123 ]`, 4},
		{`[1,{"x":2}], next`, 11},
	}
	for _, tt := range tests {
		got, err := resync([]byte(tt.in), 0)
		if err != nil || got != tt.want {
			t.Errorf("resync(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := resync([]byte(`{"a":"unterminated`), 0); err != errShort {
		t.Errorf("unterminated: %v", err)
	}
}
