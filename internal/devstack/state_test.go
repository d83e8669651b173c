package devstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrepareState(t *testing.T) {
	for _, tc := range []struct {
		name       string
		stamp      string // "" writes no stamp
		withState  bool
		wantReused bool
		wantReset  bool
	}{
		{"empty directory", "", false, false, false},
		{"state from this seed", seedHash(), true, true, false},
		{"state from another seed", "0123", true, false, true},
		{"state without a stamp", "", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.stamp != "" {
				write(t, filepath.Join(dir, seedStamp), tc.stamp+"\n")
			}
			kept := filepath.Join(dir, "dev.env")
			write(t, kept, "x")
			if tc.withState {
				write(t, filepath.Join(dir, sandboxName, "state.json"), "{}")
				write(t, filepath.Join(dir, dbName), "db")
				write(t, filepath.Join(dir, dbName+"-wal"), "wal")
				write(t, filepath.Join(dir, tokensFile), "{}")
			}
			reused, reset, err := prepareState(dir)
			if err != nil {
				t.Fatal(err)
			}
			if reused != tc.wantReused || (reset != "") != tc.wantReset {
				t.Fatalf("reused %v, reset %q; want reused %v, reset %v", reused, reset, tc.wantReused, tc.wantReset)
			}
			for _, p := range []string{sandboxName, dbName, dbName + "-wal", tokensFile} {
				if gone := !exists(filepath.Join(dir, p)); gone != (tc.wantReset || !tc.withState) {
					t.Errorf("%s removed: %v", p, gone)
				}
			}
			if !exists(kept) {
				t.Errorf("dev.env was removed")
			}
			if b, _ := os.ReadFile(filepath.Join(dir, seedStamp)); strings.TrimSpace(string(b)) != seedHash() {
				t.Errorf("seed stamp %q, want the current seed's", b)
			}
		})
	}
}

func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), "another ciem dev is running") {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	again, err := lockDir(dir)
	if err != nil {
		t.Fatalf("after unlocking: %v", err)
	}
	again()
}

func TestSeedMatchesProfiles(t *testing.T) {
	sd, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, r := range sd.Roles {
		roles["arn:aws:iam::111122223333:role/"+r.Name] = true
	}
	cfg, err := parseProfiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Profiles) == 0 {
		t.Fatal("no profiles")
	}
	for _, p := range cfg.Profiles {
		if !roles[p.Target.RoleARN] {
			t.Errorf("profile %s grants %s, which the seed does not create", p.Name, p.Target.RoleARN)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
