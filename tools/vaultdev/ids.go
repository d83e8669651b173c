package main

import (
	"crypto/rand"
	"fmt"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n random characters from [0-9A-Za-z], the alphabet of Vault's lease and
// token suffixes (rejection sampling keeps every character equally likely).
func randomBase62(n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("random: %w", err)
		}
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4*62: keeps the distribution uniform
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out), nil
}
