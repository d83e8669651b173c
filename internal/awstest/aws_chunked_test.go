package awstest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// The worked example of AWS's "Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks" (66,560 bytes of 'a' in chunks of 64 KiB and
// 1 KiB, signed with the documentation's example key).
func TestDecodeAWSChunkedSigned(t *testing.T) {
	sig := &sigV4{AmzDate: "20130524T000000Z", ScopeDate: "20130524", Region: "us-east-1", Service: "s3"}
	var keys signingKeys
	key := keys.get("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3")
	seed := "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	chunk := func(n int, sig string) string {
		return fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n", n, sig, strings.Repeat("a", n))
	}
	body := chunk(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") +
		chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497") +
		"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"
	got, _, err := decodeAWSChunked([]byte(body), sig, key, seed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decoded %d bytes", len(got))
	}
	tampered := strings.Replace(body, "aaaa\r\n0;", "aaab\r\n0;", 1)
	if _, _, err := decodeAWSChunked([]byte(tampered), sig, key, seed); err != errChunkSignature {
		t.Fatalf("tampered chunk: %v", err)
	}
}

func TestDecodeAWSChunkedUnsignedTrailer(t *testing.T) {
	body := "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
	got, trailer, err := decodeAWSChunked([]byte(body), nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "hello world" || trailer.Get("x-amz-checksum-crc32") != "DUoRhQ==" {
		t.Fatalf("payload %q trailer %v", got, trailer)
	}
	for _, bad := range []string{"zz\r\nhello\r\n", "5\r\nhel", ""} {
		if _, _, err := decodeAWSChunked([]byte(bad), nil, nil, ""); err == nil {
			t.Errorf("decoded malformed body %q", bad)
		}
	}
}
