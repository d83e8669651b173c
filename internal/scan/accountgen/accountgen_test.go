package accountgen

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestDeterministic(t *testing.T) {
	write := func(seed uint64) []byte {
		var b bytes.Buffer
		if _, err := Write(&b, Options{Seed: seed, Users: 40, Roles: 120, Policies: 300}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b, c := write(3), write(3), write(4)
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different accounts")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same account")
	}
}

func TestSizes(t *testing.T) {
	tests := []Options{{Users: 0, Roles: 10, Policies: 5}, {Users: 25, Roles: 0, Policies: 1}, {Users: 100, Roles: 400, Policies: 1000, Groups: 7}}
	for _, o := range tests {
		var b bytes.Buffer
		st, err := Write(&b, o)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			UserDetailList, GroupDetailList, RoleDetailList, Policies []json.RawMessage
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.UserDetailList) != o.Users || len(doc.RoleDetailList) != o.Roles || len(doc.Policies) != o.Policies+2 ||
			st.Users != o.Users || st.Roles != o.Roles || st.Policies != o.Policies+2 {
			t.Errorf("%+v: %d users %d roles %d policies (stats %+v)", o, len(doc.UserDetailList), len(doc.RoleDetailList), len(doc.Policies), st)
		}
		if o.Groups != 0 && len(doc.GroupDetailList) != o.Groups {
			t.Errorf("%+v: %d groups", o, len(doc.GroupDetailList))
		}
	}
	if _, err := Write(&bytes.Buffer{}, Options{Users: 1, Roles: 1}); err == nil {
		t.Error("no policies: want an error")
	}
}
