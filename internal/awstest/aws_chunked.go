package awstest

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// decodeAWSChunked decodes an aws-chunked body (S3 streaming uploads). When signingKey
// is not nil, each chunk's signature is checked against the chain that starts with
// seedSignature. It returns the payload and the trailing headers.
func decodeAWSChunked(body []byte, s *sigV4, signingKey []byte, seedSignature string) ([]byte, http.Header, error) {
	br := bufio.NewReader(bytes.NewReader(body))
	var out bytes.Buffer
	prev := seedSignature
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("reading chunk header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		sizeHex, ext, _ := strings.Cut(line, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || size < 0 {
			return nil, nil, fmt.Errorf("bad chunk size %q", sizeHex)
		}
		chunk := make([]byte, size)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, nil, fmt.Errorf("reading %d-byte chunk: %w", size, err)
		}
		if signingKey != nil {
			sig := strings.TrimPrefix(ext, "chunk-signature=")
			sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.AmzDate + "\n" + s.scope() + "\n" + prev + "\n" + emptySHA256 + "\n" + sha256Hex(chunk)
			want := hex.EncodeToString(hmacSHA256(signingKey, sts))
			if !hmac.Equal([]byte(want), []byte(sig)) {
				return nil, nil, errChunkSignature
			}
			prev = sig
		}
		out.Write(chunk)
		if size == 0 {
			break
		}
		if _, err := br.Discard(2); err != nil { // the CRLF after the data
			return nil, nil, fmt.Errorf("reading chunk terminator: %w", err)
		}
	}
	trailer := http.Header{}
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line != "" {
			k, v, ok := strings.Cut(line, ":")
			if ok {
				trailer.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		if err != nil || line == "" && err == nil && br.Buffered() == 0 {
			break
		}
	}
	return out.Bytes(), trailer, nil
}

var errChunkSignature = fmt.Errorf("chunk signature does not match")
