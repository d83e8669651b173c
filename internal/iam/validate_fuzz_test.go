package iam

import (
	"testing"
)

// FuzzValidate checks that Validate never panics, always reports a known code with its
// severity and a path, and gives the same findings twice.
func FuzzValidate(f *testing.F) {
	for _, tc := range codeCases {
		f.Add([]byte(tc.doc), string(tc.kind))
	}
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:${:::::"}}`), "managed")
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"*:*","Resource":"*","Condition":{"ForAllValues:":{"":""}}}}`), "scp")
	f.Fuzz(func(t *testing.T, doc []byte, kind string) {
		k := Kind(kind)
		got := Validate(doc, k)
		for _, fd := range got {
			if sev, ok := CodeSeverity(fd.Code); !ok || sev != fd.Severity || fd.Path == "" || fd.Path[0] != '$' || fd.Message == "" {
				t.Fatalf("bad finding %#v", fd)
			}
		}
		again := Validate(doc, k)
		if len(again) != len(got) {
			t.Fatalf("second run: %d findings, first %d", len(again), len(got))
		}
		for i := range got {
			if got[i].String() != again[i].String() {
				t.Fatalf("second run differs: %v vs %v", got[i], again[i])
			}
		}
	})
}
