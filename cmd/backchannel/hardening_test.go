package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowloris opens many connections that send their headers one byte
// at a time and never finish. While they hang, normal requests are
// answered; and the server cuts every slow connection once
// --read-header-timeout passes (1s here, well before the 10s the test
// waits, and before ReadTimeout's 15s).
func TestSlowloris(t *testing.T) {
	if testing.Short() {
		t.Skip("slowloris run skipped in -short mode")
	}
	const (
		slow    = 200
		perByte = 50 * time.Millisecond
		bound   = 10 * time.Second // a connection still open after this was not cut
	)
	srv := startServeWith(t, []string{"serve", "--addr", "127.0.0.1:0", "--transcripts", "../../transcripts",
		"--data", t.TempDir(), "--read-header-timeout", "1s"})
	host := strings.TrimPrefix(srv.base, "http://")

	var (
		wg      sync.WaitGroup
		cut     atomic.Int64 // closed by the server
		open    atomic.Int64 // still open when the normal requests finished
		mu      sync.Mutex
		errs    []string
		started = make(chan struct{}, slow)
	)
	for i := range slow {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatalf("dial slow connection %d: %v", i, err)
		}
		open.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			defer open.Add(-1)
			// Headers that never end: a request line, then an endless
			// header value, one byte per tick.
			msg := "GET / HTTP/1.1\r\nHost: " + host + "\r\nX-Slow: " + strings.Repeat("a", 1<<16)
			_ = conn.SetDeadline(time.Now().Add(bound))
			closed := make(chan error, 1)
			go func() {
				// The server answers nothing (or a 408) and closes.
				_, err := io.Copy(io.Discard, conn)
				closed <- err
			}()
			tick := time.NewTicker(perByte)
			defer tick.Stop()
			for j := 0; ; j++ {
				if _, err := conn.Write([]byte{msg[j%len(msg)]}); err != nil {
					break // reset by the server
				}
				if j == 0 {
					started <- struct{}{}
				}
				select {
				case err := <-closed:
					if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
						mu.Lock()
						errs = append(errs, "a slow connection was still open after "+bound.String())
						mu.Unlock()
						return
					}
					cut.Add(1)
					return
				case <-tick.C:
				}
			}
			if err := <-closed; err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
				mu.Lock()
				errs = append(errs, "a slow connection was still open after "+bound.String())
				mu.Unlock()
				return
			}
			cut.Add(1)
		}()
	}
	for range slow {
		<-started
	}

	// Normal requests, while the slow ones hang.
	client := &http.Client{Timeout: 5 * time.Second}
	var longest time.Duration
	for _, path := range []string{
		"/", "/calls/2025-10-14-witkoff-ushakov", "/calls/2025-10-14-witkoff-ushakov/L1",
		"/search?q=" + url.QueryEscape("peace"), "/api/v1/search?q=word", "/healthz",
	} {
		start := time.Now()
		resp, err := client.Get(srv.base + path)
		if err != nil {
			t.Errorf("GET %s during the slowloris run: %v", path, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s during the slowloris run: %d", path, resp.StatusCode)
		}
		longest = max(longest, time.Since(start))
	}
	stillOpen := open.Load()
	wg.Wait()
	t.Logf("normal requests: slowest %v, with %d of %d slow connections still open", longest, stillOpen, slow)
	for _, e := range errs {
		t.Error(e)
	}
	if got := cut.Load(); got != slow {
		t.Errorf("%d of %d slow connections were cut by the server, want all", got, slow)
	}
}

func TestServe_ReadHeaderTimeoutFlag(t *testing.T) {
	for _, v := range []string{"0s", "-1s", "11s", "soon"} {
		_, stderr, code := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--transcripts", "../../transcripts",
			"--data", t.TempDir(), "--read-header-timeout", v)
		if code == 0 {
			t.Errorf("--read-header-timeout %s: exit 0, want a usage error", v)
		}
		if !strings.Contains(stderr, "read-header-timeout") {
			t.Errorf("--read-header-timeout %s: the error does not name the flag:\n%s", v, stderr)
		}
	}
}

// TestGracefulShutdown interrupts serve while it is sending a large call
// page (larger than the socket buffers, so its handler is still writing):
// the response arrives whole, serve exits 0 and closes the index,
// and then the port no longer answers.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("graceful shutdown run skipped in -short mode")
	}
	dir := t.TempDir()
	writeSyntheticArchive(t, dir, 1, 15000, "quokka", 3)
	srv := startServe(t, dir, t.TempDir())
	host := strings.TrimPrefix(srv.base, "http://")

	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /calls/synthetic-000 HTTP/1.1\r\nHost: %s\r\n\r\n", host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil) // headers only: the body is on its way
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.ContentLength < 8<<20 {
		t.Fatalf("call page: %d, %d bytes; want 200 and a page over 8 MiB (more than the socket buffers hold, so the handler is still writing)", resp.StatusCode, resp.ContentLength)
	}
	if err := srv.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the page after SIGINT: %v (got %d of %d bytes)", err, len(body), resp.ContentLength)
	}
	if int64(len(body)) != resp.ContentLength || !strings.Contains(string(body[len(body)-200:]), "</html>") {
		t.Errorf("page cut short by the shutdown: %d of %d bytes", len(body), resp.ContentLength)
	}

	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGINT: %v, want exit 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit within 30s of SIGINT")
	}
	if logs := srv.logs.String(); !strings.Contains(logs, "shutting down") {
		t.Errorf("no shutdown in the logs:\n%s", logs)
	}
	if c, err := net.Dial("tcp", host); err == nil {
		c.Close()
		t.Error("the port still accepts connections after serve exited")
	}
}

// TestServe_OptionsStar (issue 14, finding 8): OPTIONS *, which net/http
// answers by itself unless told otherwise, is answered by the site with
// its security headers. (The 431 and 400 that net/http writes straight to
// the connection cannot carry them: see web.ConfigureHTTPServer.)
func TestServe_OptionsStar(t *testing.T) {
	srv := startServe(t, "../../transcripts", t.TempDir())
	host := strings.TrimPrefix(srv.base, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "OPTIONS * HTTP/1.1\r\nHost: %s\r\n\r\n", host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("OPTIONS *: %d, headers %v; want 200 with the security headers", resp.StatusCode, resp.Header)
	}
}
