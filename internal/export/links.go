package export

import "net/url"

// callURL is the path of a call's page on the site, as the API gives it.
func callURL(slug string) string { return "/calls/" + url.PathEscape(slug) }
