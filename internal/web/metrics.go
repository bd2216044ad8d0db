package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsSource is what a Library may also implement to report the index
// in /metrics. Without it those gauges are left out.
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
}

func newMetrics(lib Library, sl *searchLimiter) *metrics {
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
	if src, ok := lib.(MetricsSource); ok {
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

// count records every request by its route pattern (never the raw path, so
// probing random URLs cannot grow the label set), method and status.
func (m *metrics) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inflight.Inc()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			m.inflight.Dec()
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			route := "unmatched"
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				route = rc.RoutePattern()
			}
			method := r.Method
			switch method {
			case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
				http.MethodPatch, http.MethodOptions:
			default:
				method = "other" // a method is whatever the client wrote
			}
			m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(ww, r)
	})
}
