package awstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// stateFile is the sandbox's state under --data: one JSON document, replaced
// atomically (written to a temporary file, synced, renamed).
const stateFile = "sandbox-state.json"

type persisted struct {
	State  *state         `json:"state"`
	Events []*storedEvent `json:"events"`
}

// load reads the state file, if there is one. It reports whether it did.
func (s *Server) load() (bool, error) {
	if s.opts.DataDir == "" {
		return false, nil
	}
	path := filepath.Join(s.opts.DataDir, stateFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading sandbox state: %w", err)
	}
	var p persisted
	if err := json.Unmarshal(raw, &p); err != nil {
		return false, fmt.Errorf("reading sandbox state %s: %w", path, err)
	}
	if p.State == nil {
		return false, fmt.Errorf("reading sandbox state %s: no state in the file", path)
	}
	if p.State.Version != stateVersion {
		return false, fmt.Errorf("reading sandbox state %s: format version %d, this build reads %d", path, p.State.Version, stateVersion)
	}
	if p.State.Account != s.opts.Account {
		return false, fmt.Errorf("sandbox state %s belongs to account %s, not %s (use another --data directory)", path, p.State.Account, s.opts.Account)
	}
	p.State.fill()
	s.st = p.State
	s.events.restore(p.Events)
	if id := s.opts.AdminAccessKeyID; id != "" {
		if k := s.st.AccessKeys[id]; k == nil || k.Secret != s.opts.AdminSecretAccessKey {
			return false, fmt.Errorf("sandbox state %s has a different admin key than the one given", path)
		}
	}
	return true, nil
}

// writeState writes the state file. Writes are serialised, each taking its snapshot
// under the write lock, so a later write never loses to an earlier one.
func (s *Server) writeState() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	events := s.events.snapshot()
	s.mu.RLock()
	raw, err := json.Marshal(persisted{State: s.st, Events: events})
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	return writeFileAtomic(filepath.Join(s.opts.DataDir, stateFile), raw)
}

// writeFileAtomic replaces path with data so that a crash leaves the old or the new
// file, never a mix.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".sandbox-state-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// saver writes the state in the background after changes, coalescing requests that
// arrive while it writes, so a burst of calls costs one or two writes.
type saver struct {
	s      *Server
	wake   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	closed bool
	err    error
}

func newSaver(s *Server) *saver {
	sv := &saver{s: s, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go sv.loop()
	return sv
}

func (sv *saver) loop() {
	defer close(sv.done)
	for range sv.wake {
		if err := sv.s.writeState(); err != nil {
			sv.s.log.Error("saving sandbox state", "err", err)
			sv.mu.Lock()
			sv.err = err
			sv.mu.Unlock()
		}
	}
}

// request asks for a write soon.
func (sv *saver) request() {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.closed {
		return
	}
	select {
	case sv.wake <- struct{}{}:
	default: // a write is already pending and will include this change
	}
}

// close stops the background writer and writes the final state.
func (sv *saver) close() error {
	sv.mu.Lock()
	if sv.closed {
		sv.mu.Unlock()
		return nil
	}
	sv.closed = true
	close(sv.wake)
	sv.mu.Unlock()
	<-sv.done
	return sv.s.writeState()
}
