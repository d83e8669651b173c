package usage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/internal/catalog"
)

// grantLog is a GrantHistory over a slice, as a store would answer it.
type grantLog []Grant

func (l grantLog) GrantsBetween(ctx context.Context, since, until time.Time, fn func(Grant) error) error {
	for _, g := range l {
		if (!until.IsZero() && !g.Start.Before(until)) || (!since.IsZero() && !g.End.After(since)) {
			continue
		}
		if err := fn(g); err != nil {
			return err
		}
	}
	return nil
}

func TestGrants(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 6, d, 12, 0, 0, 0, time.UTC) }
	log := grantLog{
		{ID: "g1", Principal: roleARN, Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: []string{"arn:aws:s3:::b/*"}, Start: day(2), End: day(2).Add(time.Hour)},
		{ID: "g2", Principal: roleARN, Actions: []string{"s3:GetObject"}, Start: day(5), End: day(5).Add(time.Hour)},
		{ID: "g3", Principal: roleARN, Actions: []string{"iam:PassRole"}, Start: day(1), End: day(3)}, // began before the window
		{ID: "g4", Principal: roleARN, Actions: []string{"s3:Frobnicate"}, Start: day(6), End: day(6).Add(time.Hour)},
		{ID: "old", Principal: roleARN, Actions: []string{"ec2:RunInstances"}, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	w := Window{Since: day(2).Add(-time.Hour)}
	d, err := Collect(context.Background(), Options{Window: w}, Grants{History: log, Name: "broker"})
	if err != nil {
		t.Fatal(err)
	}
	get := mustAction(t, d, roleARN, "s3:GetObject")
	if get.Count != 2 || !get.First.Equal(day(2)) || !get.Last.Equal(day(5)) || !slices.Equal(get.Sources, []SourceKind{SourceGrants}) || !slices.Equal(get.Resources, []string{"arn:aws:s3:::b/*"}) {
		t.Errorf("GetObject %+v", get)
	}
	if pass := mustAction(t, d, roleARN, "iam:PassRole"); !pass.First.Equal(w.Since) {
		t.Errorf("a grant begun before the window counts at its start: %v", pass.First)
	}
	if len(d.Unmapped) != 1 || d.Unmapped[0].EventName != "s3:Frobnicate" || d.Unmapped[0].EventSource != "grants" || d.Unmapped[0].First.File != "grants:g4" {
		t.Errorf("unmapped %+v", d.Unmapped)
	}
	if d.Principal(roleARN).Action(mustID(t, "ec2:RunInstances")) != nil {
		t.Error("a grant outside the window counted")
	}
	broken := errors.New("store unavailable")
	_, err = Collect(context.Background(), Options{}, Grants{History: failingHistory{broken}, Name: "broker"})
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "grants=broker") {
		t.Errorf("error %v", err)
	}
}

type failingHistory struct{ err error }

func (f failingHistory) GrantsBetween(context.Context, time.Time, time.Time, func(Grant) error) error {
	return f.err
}

func mustID(t *testing.T, name string) catalog.ActionID {
	t.Helper()
	id, ok := NewMapper(nil).Catalog().LookupAction(name)
	if !ok {
		t.Fatalf("%s not in the catalog", name)
	}
	return id
}
