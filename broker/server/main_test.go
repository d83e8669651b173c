package server

import (
	"os"
	"testing"

	"github.com/ciem/ciem/broker/store/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		os.Exit(crashChild()) // this process is a broker a crash test will kill
	}
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}
