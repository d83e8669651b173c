// Package sqlstore implements the broker's store on SQLite (modernc.org/sqlite, pure Go,
// WAL) and PostgreSQL (github.com/jackc/pgx/v5), with the same SQL and behaviour except
// where the databases differ: PostgreSQL locks rows (FOR UPDATE, SKIP LOCKED for
// claims) so several brokers can share it; SQLite serialises writers (BEGIN IMMEDIATE)
// and belongs to one broker process at a time (a lock file enforces it).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ciem/ciem/broker/store"
)

// Store is a store.Store on a SQL database.
type Store struct {
	db      *sql.DB
	d       dialect
	closers []func() error

	roleMu sync.Mutex // SQLite: guards roleLocks
	roles  map[string]*sync.Mutex

	rebound sync.Map // query text -> text with the dialect's placeholders
}

var _ store.Store = (*Store)(nil)

type dialect struct {
	name       string
	dollar     bool   // $1 placeholders (PostgreSQL) rather than ?
	forUpdate  string // row lock for reads inside a transaction
	skipLocked string // row lock that skips rows locked by others
}

var (
	sqliteDialect   = dialect{name: "sqlite"}
	postgresDialect = dialect{name: "postgres", dollar: true, forUpdate: " FOR UPDATE", skipLocked: " FOR UPDATE SKIP LOCKED"}
)

// Open opens the store named by dsn and brings its schema up to date:
// "sqlite:PATH" (or "sqlite://PATH", "file:PATH") for SQLite, "postgres://..." or
// "postgresql://..." for PostgreSQL.
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite://"):
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"))
	case strings.HasPrefix(dsn, "sqlite:"):
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "file:"):
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "file:"))
	}
	return nil, fmt.Errorf("store %q: use sqlite:PATH or postgres://USER@HOST/DB", redact(dsn))
}

// redact hides a password in a DSN for error messages.
func redact(dsn string) string {
	at := strings.LastIndexByte(dsn, '@')
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	creds := dsn[scheme+3 : at]
	if i := strings.IndexByte(creds, ':'); i >= 0 {
		return dsn[:scheme+3] + creds[:i] + ":***" + dsn[at:]
	}
	return dsn
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// DB exposes the database for tests and benchmarks.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database and releases the SQLite lock file.
func (s *Store) Close() error {
	err := s.db.Close()
	for _, c := range s.closers {
		err = errors.Join(err, c())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("%s store: %w", s.d.name, err)
	}
	return nil
}

// q rewrites ? placeholders for PostgreSQL. Queries are constants without literal
// question marks, so a plain scan is enough.
func (s *Store) q(query string) string {
	if !s.d.dollar {
		return query
	}
	if v, ok := s.rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s.rebound.Store(query, b.String())
	return b.String()
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.inTx(ctx, false, fn)
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.inTx(ctx, true, fn)
}

func (s *Store) inTx(ctx context.Context, readOnly bool, fn func(store.Tx) error) error {
	var opts *sql.TxOptions
	if readOnly { // SQLite then begins a deferred transaction, which does not block writers
		opts = &sql.TxOptions{ReadOnly: true}
	}
	sqlTx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("%s store: beginning a transaction: %w", s.d.name, err)
	}
	t := &tx{s: s, tx: sqlTx, readOnly: readOnly}
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback() // the error from fn is the one that matters
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("%s store: committing: %w", s.d.name, err)
	}
	return nil
}

// tx is one transaction.
type tx struct {
	s        *Store
	tx       *sql.Tx
	readOnly bool
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.s.q(query), args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.s.q(query), args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.q(query), args...)
}

// forUpdate is the dialect's row-lock suffix, except in read-only transactions.
func (t *tx) forUpdate() string {
	if t.readOnly {
		return ""
	}
	return t.s.d.forUpdate
}

// ms stores a time as Unix milliseconds, the zero time as 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms, in UTC.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// mustAffect turns "no row changed" into store.ErrNotFound.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
