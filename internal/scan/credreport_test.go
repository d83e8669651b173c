package scan

import (
	"sort"
	"strings"
	"testing"
	"time"
)

const credHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// credRow writes a report row: user, created, password (enabled, last used), mfa, and two
// keys (active, last rotated, last used).
func credRow(user, created, pw, pwUsed, mfa, k1, k1Rot, k1Used, k2, k2Rot, k2Used string) string {
	arn := "arn:aws:iam::123456789012:user/" + user
	if user == "<root_account>" {
		arn = "arn:aws:iam::123456789012:root"
	}
	return strings.Join([]string{user, arn, created, pw, pwUsed, "N/A", "N/A", mfa, k1, k1Rot, k1Used, "N/A", "N/A", k2, k2Rot, k2Used, "N/A", "N/A",
		"false", "N/A", "false", "N/A"}, ",")
}

func TestCredentialFindings(t *testing.T) {
	now := mustTime("2025-06-01T00:00:00Z")
	old, recent := "2025-01-01T00:00:00+00:00", "2025-05-25T00:00:00+00:00"
	tests := []struct {
		name string
		row  string
		want []string // type/resource
	}{
		{"healthy console user", credRow("alice", old, "true", recent, "true", "false", "N/A", "N/A", "false", "N/A", "N/A"), nil},
		{"console without MFA", credRow("bob", old, "true", recent, "false", "false", "N/A", "N/A", "false", "N/A", "N/A"),
			[]string{FindingConsoleWithoutMFA + "/password"}},
		{"password unused for months", credRow("carol", old, "true", "2025-03-01T00:00:00+00:00", "true", "false", "N/A", "N/A", "false", "N/A", "N/A"),
			[]string{FindingUnusedCredentials + "/password"}},
		{"password never used, set long ago", credRow("dave", old, "true", "no_information", "true", "false", "N/A", "N/A", "false", "N/A", "N/A"),
			[]string{FindingUnusedCredentials + "/password"}},
		{"old key, used yesterday", credRow("erin", old, "false", "N/A", "false", "true", old, "2025-05-31T00:00:00+00:00", "false", "N/A", "N/A"),
			[]string{FindingKeyNotRotated + "/access_key_1"}},
		{"recent key never used", credRow("frank", old, "false", "N/A", "false", "true", recent, "N/A", "false", "N/A", "N/A"), nil},
		{"two active keys, one stale", credRow("gina", old, "false", "N/A", "false", "true", recent, recent, "true", old, "2025-02-01T00:00:00+00:00"),
			[]string{FindingKeyNotRotated + "/access_key_2", FindingMultipleActiveKeys + "/", FindingUnusedCredentials + "/access_key_2"}},
		{"key made with the console user, never used", credRow("hank", "2025-05-30T10:00:00+00:00", "true", recent, "true", "true", "2025-05-30T10:01:00+00:00", "N/A", "false", "N/A", "N/A"),
			[]string{FindingKeyAtSetup + "/access_key_1"}},
		{"inactive keys are not checked", credRow("ivy", old, "false", "N/A", "false", "false", old, "N/A", "false", old, "N/A"), nil},
		{"root with a key and no MFA", credRow("<root_account>", old, "not_supported", recent, "false", "true", old, recent, "false", "N/A", "N/A"),
			[]string{FindingRootAccessKey + "/", FindingRootWithoutMFA + "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr, err := ReadCredentialReport([]byte(credHeader+"\n"+tt.row+"\n"), "report.csv")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range credentialFindings(cr, now) {
				got = append(got, f.Type+"/"+f.Resource)
			}
			sort.Strings(got)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestReadCredentialReportErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"not a report", "a,b,c\n1,2,3\n", `column "user" missing`},
		{"bad time", credHeader + "\n" + credRow("x", "yesterday", "false", "N/A", "false", "false", "N/A", "N/A", "false", "N/A", "N/A"),
			"report.csv:2: column user_creation_time"},
		{"bad flag", credHeader + "\n" + credRow("x", "2025-01-01T00:00:00+00:00", "maybe", "N/A", "false", "false", "N/A", "N/A", "false", "N/A", "N/A"),
			`report.csv:2: column password_enabled: "maybe"`},
		{"short row", credHeader + "\nx,y\n", "wrong number of fields"},
		{"empty", "", "reading the header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCredentialReport([]byte(tt.data), "report.csv")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
