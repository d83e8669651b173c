package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenSQLite opens (creating it if needed) the SQLite database at path in WAL mode and
// migrates it. Only one process may have it open: a second broker on the same file
// gets an error rather than a second, uncoordinated expiry loop.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite store: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite store %s: %w", path, err)
		}
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)") // durable across process crashes in WAL mode
	q.Set("_txlock", "immediate")           // writers queue at BEGIN, not at their first write
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		_ = unlock()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	s := &Store{db: db, d: sqliteDialect, closers: []func() error{unlock}}
	if err := s.migrate(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	if err := s.releaseLeases(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	return s, nil
}

// releaseLeases drops the teardown and cursor leases a previous process left behind:
// with the lock file held, no other broker can be using them, so a restarted broker
// need not wait for them to run out.
func (s *Store) releaseLeases(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE requests SET teardown_owner = '', teardown_lease_until = 0 WHERE teardown_owner <> ''`); err != nil {
		return fmt.Errorf("releasing old teardown leases: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE cursors SET owner = '', lease_until = 0 WHERE owner <> ''`); err != nil {
		return fmt.Errorf("releasing old cursor leases: %w", err)
	}
	return nil
}

// lockFile takes an exclusive flock on path; the kernel drops it when the process
// dies, so a crashed broker never leaves the database locked.
func lockFile(path string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlite store: %s is held by another broker process (SQLite serves one broker; use PostgreSQL for several)", path)
		}
		return nil, fmt.Errorf("sqlite store: locking %s: %w", path, err)
	}
	return f.Close, nil
}

// isSQLiteDuplicate reports a unique or primary key violation.
func isSQLiteDuplicate(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
