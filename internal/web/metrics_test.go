package web

import (
	"os"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"backchannel/internal/transcript"
)

// families is a parsed /metrics page.
type families map[string]*dto.MetricFamily

// scrape GETs /metrics and parses it with Prometheus's own text parser.
func scrape(t testing.TB, s *Server) families {
	t.Helper()
	rec := get(t, s, "/metrics")
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "charset=utf-8") {
		t.Errorf("/metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, rec.Body.String())
	}
	return fams
}

// value is the counter, gauge or histogram count of the series whose
// labels include the given name/value pairs; -1 when there is none.
func (f families) value(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	fam, ok := f[name]
	if !ok {
		return -1
	}
next:
	for _, m := range fam.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

func TestMetrics(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	before := scrape(t, s).value(t, "backchannel_http_requests_total", "route", "/calls/{slug}", "code", "200")
	for range 3 {
		get(t, s, "/calls/"+slugHarbour)
	}
	get(t, s, "/calls/no-such-call")
	get(t, s, "/no/such/page/"+slugHarbour)
	do(t, s, "POST", "/calls/"+slugHarbour)

	m := scrape(t, s)
	if got := m.value(t, "backchannel_http_requests_total", "route", "/calls/{slug}", "method", "GET", "code", "200"); got != max(before, 0)+3 {
		t.Errorf("requests to /calls/{slug} with 200 = %v, want 3", got)
	}
	if got := m.value(t, "backchannel_http_requests_total", "route", "/calls/{slug}", "code", "404"); got != 1 {
		t.Errorf("404s on /calls/{slug} = %v, want 1", got)
	}
	if got := m.value(t, "backchannel_http_requests_total", "route", "unmatched", "code", "404"); got != 1 {
		t.Errorf("unmatched 404s = %v, want 1", got)
	}
	if got := m.value(t, "backchannel_http_requests_total", "method", "POST", "code", "405"); got != 1 {
		t.Errorf("POST 405s = %v, want 1", got)
	}
	if got := m.value(t, "backchannel_http_request_duration_seconds", "route", "/calls/{slug}"); got < 4 {
		t.Errorf("latency histogram of /calls/{slug} holds %v observations, want at least 4", got)
	}
	for _, name := range []string{"backchannel_search_errors_total", "backchannel_search_slots", "go_goroutines"} {
		if m.value(t, name) < 0 {
			t.Errorf("no %s", name)
		}
	}
	if got := m.value(t, "backchannel_search_refused_total", "reason", "busy"); got != 0 {
		t.Errorf("refused busy = %v before any search, want 0", got)
	}
	for name, f := range m {
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if strings.Contains(l.GetValue(), "no-such") {
					t.Errorf("%s: a raw path became a label: %s", name, l.GetValue())
				}
			}
		}
	}
	// A library without MetricsSource has no index gauges.
	if m.value(t, "backchannel_index_size_bytes") != -1 {
		t.Error("index size reported without a MetricsSource")
	}
}

// metricsLibrary is a fakeLibrary that also reports index metrics.
type metricsLibrary struct {
	fakeLibrary
	bytes int64
	built time.Time
}

func (l *metricsLibrary) IndexBytes() int64     { return l.bytes }
func (l *metricsLibrary) LastIngest() time.Time { return l.built }

func TestMetrics_Source(t *testing.T) {
	lib := &metricsLibrary{bytes: 123456, built: time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)}
	a := testArchive()
	lib.ArchiveFunc = func() *transcript.Archive { return a }
	s, err := NewServer(Config{Library: lib, Metrics: lib, Assets: os.DirFS("../../web")})
	if err != nil {
		t.Fatal(err)
	}
	m := scrape(t, s)
	if got := m.value(t, "backchannel_index_size_bytes"); got != 123456 {
		t.Errorf("index size %v, want 123456", got)
	}
	if got := m.value(t, "backchannel_last_ingest_timestamp_seconds"); got != float64(lib.built.Unix()) {
		t.Errorf("last ingest %v, want %d", got, lib.built.Unix())
	}
}

func TestMetrics_SearchErrors(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{}) // its Search always fails
	if rec := get(t, s, "/api/v1/search?q=x"); rec.Code != 500 {
		t.Fatalf("failing search: %d, want 500", rec.Code)
	}
	if got := scrape(t, s).value(t, "backchannel_search_errors_total"); got != 1 {
		t.Errorf("search errors = %v, want 1", got)
	}
}
