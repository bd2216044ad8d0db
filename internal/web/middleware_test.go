package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	lib := &fakeLibrary{}
	s := newTestServer(t, lib)
	s.logger = slog.New(slog.NewJSONHandler(&buf, nil))
	req := httptest.NewRequest(http.MethodGet, "/calls/nope?q=secret+words", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Header().Get("X-Request-Id") != "abc-123" {
		t.Errorf("request id %q, want the proxy's abc-123", rec.Header().Get("X-Request-Id"))
	}
	var entry map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &entry); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	if entry["status"] != 404.0 || entry["path"] != "/calls/nope" || entry["id"] != "abc-123" || entry["method"] != "GET" {
		t.Errorf("log entry %v", entry)
	}
	if _, ok := entry["duration"]; !ok {
		t.Error("no duration logged")
	}
	if strings.Contains(buf.String(), "secret") {
		t.Error("the query string was logged")
	}

	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-Id", "<script>\x01")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if id := rec.Header().Get("X-Request-Id"); id == "" || strings.Contains(id, "<") {
		t.Errorf("a malformed incoming request id was kept: %q", id)
	}
}

// TestNoTemplateHTMLConversions keeps the rule that the only HTML entering
// templates unescaped is markdown.Render's result: no template.HTML(...),
// template.JS(...) and friends anywhere in this package's code.
func TestNoTemplateHTMLConversions(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "template" {
				switch sel.Sel.Name {
				case "HTML", "HTMLAttr", "JS", "JSStr", "CSS", "URL", "Srcset":
					t.Errorf("%s: template.%s conversion; trusted HTML must come from markdown.Render", fset.Position(call.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// TestRequestLog_CachedPage checks that a page answered from the cache,
// before routing, is logged like any other request.
func TestRequestLog_CachedPage(t *testing.T) {
	var buf bytes.Buffer
	s := newTestServer(t, &fakeLibrary{})
	s.logger = slog.New(slog.NewJSONHandler(&buf, nil))
	path := "/calls/" + slugHarbour
	var ids []string
	for range 2 {
		rec := get(t, s, path)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		ids = append(ids, rec.Header().Get("X-Request-Id"))
		size := rec.Body.Len()
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		var entry map[string]any
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &entry); err != nil {
			t.Fatalf("log line %q: %v", lines[len(lines)-1], err)
		}
		if entry["status"] != 200.0 || entry["path"] != path || entry["id"] != ids[len(ids)-1] || entry["bytes"] != float64(size) {
			t.Errorf("log entry %v, want status 200, path %s, id %s, bytes %d", entry, path, ids[len(ids)-1], size)
		}
	}
	if ids[0] == "" || ids[0] == ids[1] {
		t.Errorf("request ids %q: not unique", ids)
	}
}

// syncWriter is an io.Writer safe for concurrent use that counts writes and
// signals each one.
type syncWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	wrote  chan struct{}
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestLogWriter(t *testing.T) {
	t.Run("lines whole, in order per writer, batched", func(t *testing.T) {
		out := &syncWriter{wrote: make(chan struct{}, 1)}
		lw := NewLogWriter(out, time.Hour)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 300 {
					fmt.Fprintf(lw, "writer=%d line=%d a fictional log line\n", g, i)
				}
			})
		}
		wg.Wait()
		lw.Flush()
		next := map[string]int{}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		for _, l := range lines {
			var g, i int
			if _, err := fmt.Sscanf(l, "writer=%d line=%d a fictional log line", &g, &i); err != nil {
				t.Fatalf("mangled line %q", l)
			}
			if w := strconv.Itoa(g); next[w] != i {
				t.Fatalf("writer %d: line %d after line %d", g, i, next[w]-1)
			} else {
				next[w]++
			}
		}
		if len(lines) != 8*300 {
			t.Errorf("%d lines, want %d", len(lines), 8*300)
		}
		if out.writes >= len(lines)/10 {
			t.Errorf("%d writes for %d lines: not batched", out.writes, len(lines))
		}
	})

	t.Run("written without Flush after the delay", func(t *testing.T) {
		out := &syncWriter{wrote: make(chan struct{}, 1)}
		lw := NewLogWriter(out, time.Millisecond)
		io.WriteString(lw, "one fictional line\n")
		select {
		case <-out.wrote:
		case <-time.After(10 * time.Second):
			t.Fatal("the line was not written 10 s after a 1 ms delay")
		}
		if out.String() != "one fictional line\n" {
			t.Errorf("wrote %q", out.String())
		}
	})

	t.Run("larger than the buffer", func(t *testing.T) {
		out := &syncWriter{wrote: make(chan struct{}, 1)}
		lw := NewLogWriter(out, time.Hour)
		io.WriteString(lw, "first\n")
		big := strings.Repeat("x", logBufferBytes+1) + "\n"
		io.WriteString(lw, big)
		io.WriteString(lw, "last\n")
		lw.Flush()
		if out.String() != "first\n"+big+"last\n" {
			t.Errorf("out of order or lost: %d bytes", len(out.String()))
		}
	})
}
