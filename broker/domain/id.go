package domain

import (
	"crypto/rand"
	"encoding/binary"
	"regexp"
	"sync"
	"time"
)

// crockford is Crockford's base32 alphabet, lower-cased: no i, l, o or u to misread.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

var requestIDRE = regexp.MustCompile(`^r-[0-9a-hjkmnp-tv-z]{26}$`)

// NewRequestID returns a new request id: "r-" and 26 characters, a millisecond
// timestamp then 80 random bits (a ULID in lower case), so ids sort by creation time;
// within one millisecond the random part counts up (ULID's monotonic order). The id is
// also the AWS session name and source identity of the grant's sessions, which allow
// 2-64 characters of [\w+=,.@-].
func NewRequestID(now time.Time) string {
	idMu.Lock()
	defer idMu.Unlock()
	ms := uint64(now.UnixMilli())
	var b [16]byte
	if ms <= idLastMS {
		// Same (or an earlier) millisecond: one more than the last id.
		b = idLast
		for i := 15; i >= 6; i-- {
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	} else {
		binary.BigEndian.PutUint64(b[:8], ms<<16)
		_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails (Go 1.24+)
		b[6] &= 0x7f            // leave room to count up within the millisecond
		idLastMS = ms
	}
	idLast = b
	return "r-" + encodeULID(b)
}

var (
	idMu     sync.Mutex
	idLastMS uint64
	idLast   [16]byte
)

// ValidRequestID reports whether s has the form of a request id.
func ValidRequestID(s string) bool { return requestIDRE.MatchString(s) }

func encodeULID(b [16]byte) string {
	// 128 bits as 26 base32 digits, most significant first (the first digit holds 3 bits).
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
