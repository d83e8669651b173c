package iam

import "testing"

func TestSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		kind      Kind
		limit, mx int
	}{
		{KindManaged, 6144, 6144},
		{KindBoundary, 6144, 6144},
		{KindInlineUser, 2048, 2048},
		{KindInlineGroup, 5120, 5120},
		{KindInlineRole, 10240, 10240},
		{KindTrust, 2048, 4096},
		{KindSCP, 5120, 5120},
		{KindSession, 2048, 2048},
		{KindResource, 0, 0},
	} {
		if got, gotMax := SizeLimit(tc.kind), SizeLimitMax(tc.kind); got != tc.limit || gotMax != tc.mx {
			t.Errorf("%s: limit %d, max %d; want %d, %d", tc.kind, got, gotMax, tc.limit, tc.mx)
		}
	}
}

func TestPolicySize(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want int
	}{
		{`{}`, 2},
		{" {\n\t\"a\" : [ 1 , 2 ]\r\n} ", len(`{"a":[1,2]}`)},
		{`{"a b":"c  d"}`, len(`{"a b":"c  d"}`)},                       // whitespace inside strings counts
		{`{"a":"q\" x \\"  ,  "b" : 1}`, len(`{"a":"q\" x \\","b":1}`)}, // escapes end strings correctly
		{`{"é":"ü"}`, 9},        // characters, not bytes
		{"{\"a\":\"\xff\"}", 9}, // invalid UTF-8 counts a byte each
		{`{"unterminated`, 14},
	} {
		if got := PolicySize([]byte(tc.doc)); got != tc.want {
			t.Errorf("PolicySize(%q) = %d, want %d", tc.doc, got, tc.want)
		}
	}
}
