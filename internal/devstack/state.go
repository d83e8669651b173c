package devstack

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Files under the data directory.
const (
	lockName    = "dev.lock"
	seedStamp   = "seed.sha256" // the hash of the seed the state was made from
	sandboxName = "sandbox"
	dbName      = "broker.db"
)

// lockDir holds an exclusive lock on dir/dev.lock for as long as the stack runs: two
// stacks on one directory would overwrite each other's sandbox state. The kernel drops
// the lock when the process dies.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("--data %s: another ciem dev is running on it (stop it, or use another --data)", dir)
		}
		return nil, fmt.Errorf("--data %s: locking: %w", dir, err)
	}
	return func() { f.Close() }, nil
}

// prepareState decides what a start does with dir: keep the state of an earlier run
// (reused), or, when that state was made from another seed (an older ciem), remove it
// all so that the sandbox, the broker and the tokens start fresh together (reset says
// why). The caller holds the directory's lock.
func prepareState(dir string) (reused bool, reset string, err error) {
	want := seedHash()
	stamp := filepath.Join(dir, seedStamp)
	have, rerr := os.ReadFile(stamp)
	existing := exists(filepath.Join(dir, sandboxName)) || exists(filepath.Join(dir, dbName))
	switch {
	case !existing:
	case rerr == nil && strings.TrimSpace(string(have)) == want:
		reused = true
	default:
		reset = "it was made from another seed (an earlier ciem)"
		matches, _ := filepath.Glob(filepath.Join(dir, dbName+"*"))
		for _, p := range append(matches, filepath.Join(dir, sandboxName), filepath.Join(dir, tokensFile)) {
			if err := os.RemoveAll(p); err != nil {
				return false, "", fmt.Errorf("resetting %s: %w", dir, err)
			}
		}
	}
	if err := os.WriteFile(stamp, []byte(want+"\n"), 0o600); err != nil {
		return false, "", fmt.Errorf("--data %s: %w", dir, err)
	}
	return reused, reset, nil
}

func seedHash() string {
	h := sha256.Sum256(seedJSON)
	return hex.EncodeToString(h[:])
}
