package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/client"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/store"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/broker/workflow"
	"github.com/ciem/ciem/internal/awstest"
)

// crashEnv is a sandbox (on a manual clock), a broker configuration, and clients for
// the test identities; brokers run as child processes.
type crashEnv struct {
	t      *testing.T
	aws    *awstest.Server
	clk    *awstest.ManualClock
	t0     time.Time
	cfg    string
	dsn    string
	url    string
	addr   string
	alice  *client.Client
	bob    *client.Client
	broker *child
}

func newCrashEnv(t *testing.T, backend string) *crashEnv {
	t.Helper()
	clk := awstest.NewManualClock(time.Now().UTC().Truncate(time.Second))
	srv := awstest.StartWith(t, awstest.Options{Clock: clk, Seed: brokertest.Seed()})
	st, dsn := brokertest.OpenStore(t, backend)
	port := freePort(t)
	dir := t.TempDir()
	hcl := fmt.Sprintf(`listen = "127.0.0.1:%d"
store = %q
profile "readonly" {
  role_arn       = %q
  session_policy = file("read.json")
  max_duration   = "4h"
  requesters { groups = ["dev"] }
  approval { groups = ["leads"] }
}
`, port, dsn, brokertest.RoleARN)
	for name, body := range map[string]string{"broker.hcl": hcl, "read.json": brokertest.ReadPolicy} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e := &crashEnv{t: t, aws: srv, clk: clk, t0: clk.Now(), cfg: filepath.Join(dir, "broker.hcl"), dsn: dsn,
		addr: fmt.Sprintf("127.0.0.1:%d", port)}
	e.url = "http://" + e.addr
	tk := &authn.Tokens{Store: st, Clock: clock.Real{}}
	for _, u := range []struct {
		name   string
		groups []string
		dst    **client.Client
	}{{"alice", []string{"dev"}, &e.alice}, {"bob", []string{"leads"}, &e.bob}} {
		plain, _, err := tk.Create(context.Background(), "test", authn.NewToken{Name: u.name, Subject: u.name, Groups: u.groups})
		if err != nil {
			t.Fatal(err)
		}
		if *u.dst, err = client.New(e.url, plain); err != nil {
			t.Fatal(err)
		}
	}
	st.Close() // SQLite serves one process: the broker's
	t.Cleanup(func() {
		if e.broker != nil {
			e.broker.stop(t)
		}
		st, err := sqlstore.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		brokertest.VerifyAudit(t, st)
	})
	return e
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// child is a broker process.
type child struct {
	cmd    *exec.Cmd
	output *bytes.Buffer
	done   chan error
}

// start runs a broker whose clock starts at `at`, dying at crash point crashAt ("" for
// none), and waits until it is ready unless it is expected to die before.
func (e *crashEnv) start(at time.Time, crashAt string, waitReady bool) *child {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+e.cfg, envCrashAt+"="+crashAt, envClock+"="+at.Format(time.RFC3339Nano),
		envAWS+"="+e.aws.URL, envAWSKeys+"="+brokertest.BrokerKeyID+":"+brokertest.BrokerSecret)
	c := &child{cmd: cmd, output: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = c.output, c.output
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	e.broker = c
	if waitReady {
		e.waitReady(c)
	}
	return c
}

// waitReady polls /readyz (the broker catches up before it is ready).
func (e *crashEnv) waitReady(c *child) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.done:
			e.t.Fatalf("broker exited before it was ready: %v\n%s", err, c.output)
		default:
		}
		resp, err := http.Get(e.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond) // waiting for another process to start
	}
	e.t.Fatalf("broker not ready in 30s\n%s", c.output)
}

// killed waits for a broker that must die at its crash point.
func (c *child) killed(t *testing.T, step string) {
	t.Helper()
	select {
	case err := <-c.done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL || !strings.Contains(c.output.String(), "dying at "+step) {
			t.Fatalf("broker did not die at %s: %v\n%s", step, err, c.output)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("broker still running; expected it to die at %s\n%s", step, c.output)
	}
}

// kill kills the broker from outside (SIGKILL).
func (c *child) kill(t *testing.T) {
	_ = c.cmd.Process.Kill()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("broker did not die on SIGKILL")
	}
}

func (c *child) stop(t *testing.T) {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Errorf("broker did not stop on SIGTERM\n%s", c.output)
	}
}

// active makes an active grant of alice's for d through the running broker.
func (e *crashEnv) active(d time.Duration) api.RequestView {
	e.t.Helper()
	ctx := context.Background()
	r, err := e.alice.Create(ctx, api.CreateRequest{Profile: "readonly", Duration: d.String(), Reason: "crash test"})
	if err != nil {
		e.t.Fatal(err)
	}
	if r, err = e.bob.Approve(ctx, r.ID, ""); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *crashEnv) creds(id string) issuer.Credentials {
	e.t.Helper()
	cp, err := e.alice.Credentials(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return issuer.Credentials{AccessKeyID: cp.AccessKeyID, SecretAccessKey: cp.SecretAccessKey, SessionToken: cp.SessionToken}
}

func (e *crashEnv) get(id string) api.RequestView {
	e.t.Helper()
	r, err := e.bob.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *crashEnv) s3(c issuer.Credentials) string { return brokertest.S3Code(e.t, e.aws, c) }

// lostSession stands for a session AWS issued for grant id whose credentials nobody
// received (the broker died first): the broker's identity assumes the role again
// under the grant's source identity.
func (e *crashEnv) lostSession(id string) issuer.Credentials {
	e.t.Helper()
	cfg := e.aws.ConfigFor(awstest.Credentials{AccessKeyID: brokertest.BrokerKeyID, SecretAccessKey: brokertest.BrokerSecret})
	end := e.clk.Now().Add(time.Hour)
	policy, err := issuer.BoundPolicy(brokertest.ReadPolicy, end)
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(brokertest.RoleARN),
		RoleSessionName: aws.String(id), SourceIdentity: aws.String(id), Policy: aws.String(policy)})
	if err != nil {
		e.t.Fatal(err)
	}
	c := out.Credentials
	return issuer.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
}

// offline opens the store while no broker runs.
func (e *crashEnv) offline(f func(st *sqlstore.Store)) {
	e.t.Helper()
	st, err := sqlstore.Open(context.Background(), e.dsn)
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	f(st)
}

// A broker killed at each crash point, then restarted, finishes what it was doing:
// nothing outlives its grant, and a revocation cuts the grant's sessions off even when
// the broker died in the middle of it.
func TestCrashAtEachStep(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Run("approved, not activated", func(t *testing.T) {
				e := newCrashEnv(t, backend)
				e.start(e.t0, workflow.StepApproveCommitted, true)
				r, err := e.alice.Create(context.Background(), api.CreateRequest{Profile: "readonly", Duration: "30m"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.bob.Approve(context.Background(), r.ID, ""); err == nil {
					t.Fatal("the approval answered; the broker should have died")
				}
				e.broker.killed(t, workflow.StepApproveCommitted)
				restart := e.t0.Add(time.Minute)
				e.clk.Set(restart)
				e.start(restart, "", true)
				got := e.get(r.ID)
				if got.State != "active" || got.EndsAt == nil || got.EndsAt.Sub(restart) > 30*time.Minute+5*time.Second {
					t.Fatalf("after restart: %s until %v", got.State, got.EndsAt)
				}
				c := e.creds(r.ID)
				if code := e.s3(c); code != "" {
					t.Fatalf("credentials of the activated grant: %s", code)
				}
				e.clk.Set(*got.EndsAt)
				if code := e.s3(c); code != "AccessDenied" {
					t.Fatalf("at the grant's end: %q", code)
				}
			})

			for _, step := range []string{workflow.StepCredentialsRecorded, workflow.StepCredentialsIssued} {
				t.Run("issuing: "+step, func(t *testing.T) {
					e := newCrashEnv(t, backend)
					e.start(e.t0, step, true)
					g := e.active(time.Hour)
					if _, err := e.alice.Credentials(context.Background(), g.ID); err == nil {
						t.Fatal("credentials answered; the broker should have died")
					}
					e.broker.killed(t, step)
					e.offline(func(st *sqlstore.Store) {
						var issues []store.Issue
						_ = st.View(context.Background(), func(tx store.Tx) error {
							var err error
							issues, err = tx.Issues(context.Background(), g.ID)
							return err
						})
						if len(issues) != 1 || issues[0].State != store.IssueStarted || !issues[0].ValidUntil.Equal(*g.EndsAt) {
							t.Fatalf("the issue is not on record before the call: %+v", issues)
						}
					})
					e.start(e.t0.Add(time.Minute), "", true)
					lost := e.lostSession(g.ID) // what AWS may have issued as the broker died
					c := e.creds(g.ID)
					if e.s3(c) != "" || e.s3(lost) != "" {
						t.Fatal("sessions do not work during the grant")
					}
					if _, err := e.bob.Revoke(context.Background(), g.ID, "crash test"); err != nil {
						t.Fatal(err)
					}
					if e.s3(c) != "AccessDenied" || e.s3(lost) != "AccessDenied" {
						t.Fatal("a session of the revoked grant still works")
					}
				})
			}

			for _, step := range []string{workflow.StepRevokeDecided, workflow.StepFenceStored, workflow.StepFenceWritten, workflow.StepTeardownTaken} {
				t.Run("revoking: "+step, func(t *testing.T) {
					e := newCrashEnv(t, backend)
					e.start(e.t0, step, true)
					g := e.active(time.Hour)
					c := e.creds(g.ID)
					if _, err := e.bob.Revoke(context.Background(), g.ID, "crash test"); err == nil {
						t.Fatal("revoke answered; the broker should have died")
					}
					e.broker.killed(t, step)
					// Restarted well before the grant's end: the catch-up finishes the teardown
					// before the broker reports ready.
					e.start(e.t0.Add(time.Minute), "", true)
					got := e.get(g.ID)
					if got.State != "revoked" || got.Teardown == nil || got.Teardown.State != "done" {
						t.Fatalf("after restart: %s, teardown %+v", got.State, got.Teardown)
					}
					if code := e.s3(c); code != "AccessDenied" {
						t.Fatalf("the revoked grant's session after restart: %q", code)
					}
				})
			}

			t.Run("killed while a grant runs, restarted after its end", func(t *testing.T) {
				e := newCrashEnv(t, backend)
				e.start(e.t0, "", true)
				g := e.active(10 * time.Minute)
				c := e.creds(g.ID)
				e.broker.kill(t)
				// Down past the grant's end, the 15-minute session still valid: AWS stops it
				// alone, and the restarted broker records the expiry before it serves.
				e.clk.Set(e.t0.Add(12 * time.Minute))
				if code := e.s3(c); code != "AccessDenied" {
					t.Fatalf("after the end with no broker running: %q (AWS must stop it alone)", code)
				}
				e.start(e.t0.Add(12*time.Minute), "", true)
				got := e.get(g.ID)
				if got.State != "expired" || got.Teardown == nil || got.Teardown.State != "done" {
					t.Fatalf("after restart: %s, teardown %+v", got.State, got.Teardown)
				}
			})
		})
	}
	_ = audit.Genesis
}
