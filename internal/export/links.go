package export

import "net/url"

// CallURL is the path of a call's page on the site, as the API gives it.
func CallURL(slug string) string { return "/calls/" + url.PathEscape(slug) }
