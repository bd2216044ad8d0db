package web

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsSource reports the index in /metrics (Config.Metrics).
type MetricsSource interface {
	// IndexBytes is the size of the open index on disk, in bytes.
	IndexBytes() int64
	// LastIngest is when the open index was built; zero when unknown.
	LastIngest() time.Time
}

// metrics holds the server's Prometheus collectors, in a registry of its
// own (no global default registry, so two servers in one test process do
// not share counts).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	refused   *prometheus.CounterVec
	failed    prometheus.Counter
	inflight  prometheus.Gauge
	searching prometheus.GaugeFunc

	mu     sync.Mutex // held to add to series
	series atomic.Pointer[series]
}

func newMetrics(src MetricsSource, sl *searchLimiter) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "backchannel_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "backchannel_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "backchannel_search_refused_total",
			Help: "Searches answered 503: busy (no free slot in time) or timeout (ran past the deadline).",
		}, []string{"reason"}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "backchannel_search_errors_total",
			Help: "Searches that failed with a server error other than a refusal.",
		}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "backchannel_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
	}
	m.searching = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "backchannel_searches_running",
		Help: "Searches holding a slot of the concurrency limit.",
	}, func() float64 { return float64(len(sl.slots)) })
	m.series.Store(&series{requests: map[requestKey]prometheus.Counter{}, latency: map[string]prometheus.Observer{}})
	for _, reason := range []string{"busy", "timeout"} {
		m.refused.WithLabelValues(reason) // present at 0 from the start
	}
	m.reg.MustRegister(m.requests, m.latency, m.refused, m.failed, m.inflight, m.searching,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "backchannel_search_slots",
			Help: "Searches that may run at once.",
		}, func() float64 { return float64(cap(sl.slots)) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if src != nil {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "backchannel_index_size_bytes",
				Help: "Size of the open search index on disk.",
			}, func() float64 { return float64(src.IndexBytes()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "backchannel_last_ingest_timestamp_seconds",
				Help: "When the open index was built (Unix time; 0 when unknown).",
			}, func() float64 {
				t := src.LastIngest()
				if t.IsZero() {
					return 0
				}
				return float64(t.UnixNano()) / 1e9
			}),
		)
	}
	return m
}

func (m *metrics) searchRefused(reason string) { m.refused.WithLabelValues(reason).Inc() }

func (m *metrics) searchFailed() { m.failed.Inc() }

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// requestKey is one series of backchannel_http_requests_total.
type requestKey struct {
	route, method string
	code          int
}

// series are the children of the request counter and latency histogram
// already asked for, looked up without locks or allocations: a map that is
// replaced (copied, with the new child) when a child is missing. The label
// values are bounded (route patterns, a few methods, the codes handlers
// write), so the map stays small.
type series struct {
	requests map[requestKey]prometheus.Counter
	latency  map[string]prometheus.Observer
}

// observe records one answered request by its route pattern (never the raw
// path, so probing random URLs cannot grow the label set; "" is
// "unmatched"), method and status.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodPatch, http.MethodOptions:
	default:
		method = "other" // a method is whatever the client wrote
	}
	k := requestKey{route, method, status}
	cur := m.series.Load()
	c, ok1 := cur.requests[k]
	o, ok2 := cur.latency[route]
	if !ok1 || !ok2 {
		c, o = m.addSeries(k)
	}
	c.Inc()
	o.Observe(d.Seconds())
}

// addSeries returns the children of k, adding them to the series map.
func (m *metrics) addSeries(k requestKey) (prometheus.Counter, prometheus.Observer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.series.Load()
	c, ok1 := cur.requests[k]
	o, ok2 := cur.latency[k.route]
	if ok1 && ok2 {
		return c, o
	}
	next := &series{requests: maps.Clone(cur.requests), latency: maps.Clone(cur.latency)}
	if !ok1 {
		c = m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.code))
		next.requests[k] = c
	}
	if !ok2 {
		o = m.latency.WithLabelValues(k.route)
		next.latency[k.route] = o
	}
	m.series.Store(next)
	return c, o
}
