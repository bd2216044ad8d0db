package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"backchannel/internal/index"
)

// searchPages returns the /api/v1/search paths of the pages before and
// after q's, or nil at either end. The last page is the one that holds
// the last hit, or the deepest page the index allows (index.MaxFrom),
// whichever comes first.
func searchPages(q index.Query, total uint64) (prev, next *string) {
	size := q.Size
	if size <= 0 {
		size = index.DefaultSize
	}
	page := max(q.Page, 1)
	last := int(min((total+uint64(size)-1)/uint64(size), uint64(index.MaxFrom/size+1)))
	link := func(n int) *string {
		u := "/api/v1/search?" + queryValues(q, n).Encode()
		return &u
	}
	if page > 1 && last > 0 {
		prev = link(min(page-1, last))
	}
	if page < last {
		next = link(page + 1)
	}
	return prev, next
}

// queryValues are the /api/v1/search parameters of q at page n; page 1 and
// the default size are left out, so that equal searches have equal URLs.
func queryValues(q index.Query, page int) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Text)
	set("speaker", q.Speaker)
	set("call", q.Call)
	set("after", q.After)
	set("before", q.Before)
	set("sort", q.Sort)
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if q.Size > 0 && q.Size != index.DefaultSize {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

// absolute makes a root-relative link absolute with base (scheme and host).
func absolute(base string, link *string) *string {
	if link == nil || !strings.HasPrefix(*link, "/") {
		return link
	}
	u := base + *link
	return &u
}

// setLinkHeader sets the Link header (RFC 8288) of a paged answer.
func setLinkHeader(h http.Header, prev, next *string) {
	var links []string
	if next != nil {
		links = append(links, "<"+*next+`>; rel="next"`)
	}
	if prev != nil {
		links = append(links, "<"+*prev+`>; rel="prev"`)
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
}
