package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's headless Chromium ($CIEM_CHROMIUM overrides).
func chromium(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("CIEM_CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	t.Fatalf("Chromium is needed to render the HTML report (Debian: apt-get install chromium, see tools/test-deps.sh; or set CIEM_CHROMIUM)")
	return ""
}

// runChromium renders a file headless with a fresh profile and returns stdout and the
// browser's log (stderr).
func runChromium(t *testing.T, bin string, args ...string) (string, string) {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestHTMLReportInChromium renders the sandbox scan's report in headless Chromium: the
// page loads with no script or console error, its script runs (it marks the body ready),
// and it shows the summary, the three charts and the tables. It also checks that the file
// asks for nothing from the network.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	_, r := sandboxScan(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(html); m != "" {
		t.Errorf("the report loads something from the network: %q", m)
	}
	if strings.Contains(html, "@import") || strings.Contains(html, "url(http") {
		t.Error("the report's CSS loads something from the network")
	}

	dom, log := runChromium(t, bin, "--dump-dom", "file://"+page)
	for _, want := range []string{
		`<body data-ready="1">`,                   // the script ran to its end
		`<div id="js-errors" role="alert"></div>`, // no script error was caught
		`id="summary"`, `aria-label="Principals by risk"`, `aria-label="Granted and used actions by service"`, `aria-label="Escalation paths"`,
		`id="principals-table"`, `id="findings-table"`, `id="cis-table"`, "user/helpdesk", "create_access_key",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^.*(:CONSOLE|Uncaught|SyntaxError|TypeError|ReferenceError|Refused to).*$`).FindString(log); m != "" {
		t.Errorf("the browser reported an error: %s", m)
	}

	png := filepath.Join(dir, "report.png")
	_, log = runChromium(t, bin, "--window-size=1366,3000", "--hide-scrollbars", "--screenshot="+png, "file://"+page)
	if m := regexp.MustCompile(`(?m)^.*(:CONSOLE|Uncaught|Refused to).*$`).FindString(log); m != "" {
		t.Errorf("the browser reported an error while taking the screenshot: %s", m)
	}
	data, err := os.ReadFile(png)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if len(data) < 24 || string(data[1:4]) != "PNG" {
		t.Fatal("the screenshot is not a PNG")
	}
	w, h := binary.BigEndian.Uint32(data[16:20]), binary.BigEndian.Uint32(data[20:24])
	if w != 1366 || h != 3000 || len(data) < 50_000 {
		t.Errorf("screenshot %dx%d, %d bytes: want 1366x3000 with content", w, h, len(data))
	}
	if out := os.Getenv("CIEM_SCAN_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHTMLEscapes checks that names from the account cannot inject markup.
func TestHTMLEscapes(t *testing.T) {
	r := &Report{Schema: SchemaVersion, Account: "111122223333", Inputs: Inputs{AuthDetails: "file"},
		Principals: []PrincipalReport{{ARN: "arn:aws:iam::111122223333:user/<script>alert(1)</script>", Type: TypeUser, Risk: "high",
			AdminReachable: true, AdminSteps: 1, AdminVia: "arn:aws:iam::111122223333:role/x",
			AdminPath: []Step{{From: "arn:aws:iam::111122223333:user/<b>", Kind: StepAssumeRole, To: "arn:aws:iam::111122223333:role/<i>x", Detail: "<img src=x>"}},
			Findings:  []Finding{{Type: "t", Severity: "high", Title: "<svg onload=alert(1)>"}}}},
		CIS: CISReport{Benchmark: CISBenchmark}}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>alert", "<img src=x>", "<svg onload", "/<b>", "/<i>x"} {
		if strings.Contains(b.String(), bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
}
