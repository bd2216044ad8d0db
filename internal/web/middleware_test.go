package web

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
