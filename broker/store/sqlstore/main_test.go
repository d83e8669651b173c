package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// eachStore runs f against a fresh SQLite store and a fresh PostgreSQL store.
func eachStore(t *testing.T, f func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "broker.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		f(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := OpenPostgres(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		f(t, s)
	})
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func sampleRequest(id string, state domain.State) domain.Request {
	return domain.Request{
		ID: id, Profile: "readonly",
		Target:        domain.Target{Issuer: domain.IssuerSTS, RoleARN: "arn:aws:iam::111122223333:role/ReadOnly"},
		SessionPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		Requester:     "alice", RequesterGroups: []string{"dev"}, Duration: time.Hour, Reason: "incident 42", Ticket: "INC-42",
		State: state, CreatedAt: t0, UpdatedAt: t0,
	}
}
