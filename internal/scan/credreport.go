package scan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// The IAM credential report (GenerateCredentialReport / GetCredentialReport, or the CSV
// the console downloads): one row per user and one for the account's root user, with the
// state and last use of each credential.

// CredentialReport is a parsed credential report.
type CredentialReport struct {
	Rows []CredentialRow
}

// CredentialRow is one user's credentials. Times are zero when the report says N/A,
// no_information or not_supported.
type CredentialRow struct {
	User, ARN           string
	Root                bool
	Created             time.Time
	PasswordEnabled     bool
	PasswordLastUsed    time.Time
	PasswordLastChanged time.Time
	MFAActive           bool
	Keys                [2]AccessKeyState
}

// AccessKeyState is one of a user's two access key slots.
type AccessKeyState struct {
	Active      bool
	LastRotated time.Time
	LastUsed    time.Time
}

// credReportColumns are the columns the scan reads; the report has more.
var credReportColumns = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"mfa_active", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date"}

// ReadCredentialReportFile reads a credential report CSV file.
func ReadCredentialReportFile(path string) (*CredentialReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading credential report: %w", err)
	}
	return ReadCredentialReport(data, path)
}

// ReadCredentialReport parses a credential report CSV; name is used in error messages.
func ReadCredentialReport(data []byte, name string) (*CredentialReport, error) {
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: not an IAM credential report (CSV): reading the header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range credReportColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: column %q missing: not an IAM credential report", name, c)
		}
	}
	out := &CredentialReport{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		row := CredentialRow{User: get("user"), ARN: get("arn")}
		row.Root = row.User == "<root_account>"
		var perr error
		field := func(c string) time.Time {
			t, err := reportTime(get(c))
			if err != nil && perr == nil {
				perr = fmt.Errorf("%s:%d: column %s: %w", name, line, c, err)
			}
			return t
		}
		flag := func(c string) bool {
			v := strings.ToLower(get(c))
			if v != "true" && v != "false" && v != "not_supported" && v != "n/a" && perr == nil {
				perr = fmt.Errorf("%s:%d: column %s: %q is not true or false", name, line, c, get(c))
			}
			return v == "true"
		}
		row.Created = field("user_creation_time")
		row.PasswordEnabled = flag("password_enabled")
		row.PasswordLastUsed = field("password_last_used")
		row.PasswordLastChanged = field("password_last_changed")
		row.MFAActive = flag("mfa_active")
		for k := 0; k < 2; k++ {
			pre := fmt.Sprintf("access_key_%d_", k+1)
			row.Keys[k] = AccessKeyState{Active: flag(pre + "active"), LastRotated: field(pre + "last_rotated"), LastUsed: field(pre + "last_used_date")}
		}
		if perr != nil {
			return nil, perr
		}
		if row.ARN == "" {
			return nil, fmt.Errorf("%s:%d: no arn", name, line)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// reportTime reads a report time; the report writes N/A, no_information or not_supported
// where there is none.
func reportTime(s string) (time.Time, error) {
	switch strings.ToLower(s) {
	case "", "n/a", "no_information", "not_supported":
		return time.Time{}, nil
	}
	return parseTime(s)
}

// logins says, per user ARN, whether the user has a console password.
func (cr *CredentialReport) logins() map[string]bool {
	out := map[string]bool{}
	if cr == nil {
		return out
	}
	for _, r := range cr.Rows {
		if !r.Root {
			out[r.ARN] = r.PasswordEnabled
		}
	}
	return out
}

// Thresholds of the CIS controls the report is checked against.
const (
	unusedAfter   = 45 * 24 * time.Hour // CIS 1.12
	rotateAfter   = 90 * 24 * time.Hour // CIS 1.14
	setupInterval = 10 * time.Minute    // CIS 1.11: a key created with the user
)

// credentialFindings checks every row of the report at time now.
func credentialFindings(cr *CredentialReport, now time.Time) []Finding {
	if cr == nil {
		return nil
	}
	var out []Finding
	days := func(t time.Time) string { return itoa(int(now.Sub(t).Hours()/24)) + " days" }
	for _, r := range cr.Rows {
		who := r.ARN
		if r.Root {
			if r.Keys[0].Active || r.Keys[1].Active {
				out = append(out, Finding{Type: FindingRootAccessKey, Rule: "root-access-key", Severity: iam.RiskCritical, Principal: who,
					Title: "The root user has an active access key", Actions: []string{}, Policies: []string{},
					Detail: "access keys of the root user cannot be limited by any policy; delete them"})
			}
			if !r.MFAActive {
				out = append(out, Finding{Type: FindingRootWithoutMFA, Rule: "root-without-mfa", Severity: iam.RiskCritical, Principal: who,
					Title: "The root user has no MFA", Actions: []string{}, Policies: []string{},
					Detail: "a stolen root password alone gives full control of the account"})
			}
			continue
		}
		if r.PasswordEnabled && !r.MFAActive {
			out = append(out, Finding{Type: FindingConsoleWithoutMFA, Rule: "console-without-mfa", Severity: iam.RiskHigh, Principal: who, Resource: "password",
				Title: "Console password without MFA", Actions: []string{}, Policies: []string{},
				Detail: "the user signs in to the console with a password alone"})
		}
		if r.PasswordEnabled {
			last, what := r.PasswordLastUsed, "last used "
			if last.IsZero() {
				last, what = firstNonZero(r.PasswordLastChanged, r.Created), "never used, set "
			}
			if !last.IsZero() && now.Sub(last) >= unusedAfter {
				out = append(out, Finding{Type: FindingUnusedCredentials, Rule: "unused-password", Severity: iam.RiskMedium, Principal: who, Resource: "password",
					Title: "Console password unused for 45 days or more", Actions: []string{}, Policies: []string{},
					Detail: "the console password was " + what + days(last) + " ago; disable it"})
			}
		}
		active := 0
		for k, key := range r.Keys {
			if !key.Active {
				continue
			}
			active++
			slot := "access_key_" + itoa(k+1)
			last, what := key.LastUsed, "last used "
			if last.IsZero() {
				last, what = key.LastRotated, "never used, created "
			}
			if !last.IsZero() && now.Sub(last) >= unusedAfter {
				out = append(out, Finding{Type: FindingUnusedCredentials, Rule: "unused-access-key", Severity: iam.RiskMedium, Principal: who, Resource: slot,
					Title: "Access key unused for 45 days or more", Actions: []string{}, Policies: []string{},
					Detail: slot + " was " + what + days(last) + " ago; deactivate it"})
			}
			if !key.LastRotated.IsZero() && now.Sub(key.LastRotated) >= rotateAfter {
				out = append(out, Finding{Type: FindingKeyNotRotated, Rule: "access-key-not-rotated", Severity: iam.RiskMedium, Principal: who, Resource: slot,
					Title: "Access key not rotated in 90 days", Actions: []string{}, Policies: []string{},
					Detail: slot + " was created " + days(key.LastRotated) + " ago"})
			}
			if r.PasswordEnabled && key.LastUsed.IsZero() && !key.LastRotated.IsZero() && !r.Created.IsZero() &&
				key.LastRotated.Sub(r.Created) < setupInterval {
				out = append(out, Finding{Type: FindingKeyAtSetup, Rule: "access-key-at-setup", Severity: iam.RiskLow, Principal: who, Resource: slot,
					Title: "Access key created with a console user and never used", Actions: []string{}, Policies: []string{},
					Detail: slot + " was created when the user was and has never been used; delete it"})
			}
		}
		if active > 1 {
			out = append(out, Finding{Type: FindingMultipleActiveKeys, Rule: "multiple-active-keys", Severity: iam.RiskLow, Principal: who,
				Title: "Two active access keys", Actions: []string{}, Policies: []string{},
				Detail: "a user should have at most one active access key"})
		}
	}
	return out
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
