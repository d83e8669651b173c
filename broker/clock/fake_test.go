package clock

import (
	"testing"
	"time"
)

func TestFakeTimers(t *testing.T) {
	c := NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	fired := make(chan string, 3)
	c.AfterFunc(2*time.Second, func() { fired <- "two" })
	stopped := c.AfterFunc(time.Second, func() { fired <- "stopped" })
	c.AfterFunc(time.Hour, func() { fired <- "hour" })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop: want true once, then false")
	}
	c.Advance(time.Second)
	select {
	case f := <-fired:
		t.Fatalf("%s fired early", f)
	default:
	}
	c.Advance(time.Second)
	if f := <-fired; f != "two" {
		t.Fatalf("fired %s", f)
	}
	if c.Pending() != 1 {
		t.Fatalf("pending %d", c.Pending())
	}
	c.Set(c.Now().Add(time.Hour))
	if f := <-fired; f != "hour" {
		t.Fatalf("fired %s", f)
	}
	done := make(chan struct{})
	c.AfterFunc(0, func() { close(done) })
	<-done
}
