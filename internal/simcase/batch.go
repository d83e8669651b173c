package simcase

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ciem/ciem/internal/iam"
)

// Answer is one output line: the decision, or why the case could not be simulated.
type Answer struct {
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Simulate translates a case and evaluates it.
func (t *Translator) Simulate(c *Case) (iam.Result, error) {
	ps, req, err := t.Translate(c)
	if err != nil {
		return iam.Result{}, err
	}
	return iam.Evaluate(req, ps), nil
}

// AnswerLine decodes, translates and evaluates one JSON line.
func (t *Translator) AnswerLine(line []byte) Answer {
	c, err := decodeLine(line)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	res, err := t.Simulate(c)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	return Answer{Result: res.Decision.String()}
}

// RunBatch reads one case per line from r and writes one answer per line to w, in order.
// Blank lines are skipped (the reference simulator's wrapper skips them too, so the answers
// of both stay aligned). Output is flushed whenever no more input is buffered, so a caller
// that streams cases and waits for answers is not left waiting on a full buffer.
func RunBatch(ctx context.Context, t *Translator, r io.Reader, w io.Writer) error {
	in := bufio.NewReaderSize(r, 1<<20)
	out := bufio.NewWriterSize(w, 1<<16)
	var line []byte
	for n := 1; ; n++ {
		if in.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("writing answers: %w", err)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		line, err = readLine(in, line[:0])
		if len(bytes.TrimSpace(line)) > 0 {
			a := t.AnswerLine(line)
			b, merr := json.Marshal(a)
			if merr != nil {
				return fmt.Errorf("line %d: encoding answer: %w", n, merr)
			}
			out.Write(b)
			out.WriteByte('\n')
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading line %d: %w", n, err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing answers: %w", err)
	}
	return nil
}

// readLine reads a whole line of any length into buf, without its newline.
func readLine(r *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}
