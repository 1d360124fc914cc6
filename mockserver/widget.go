package mockserver

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The widget's loader script and Helper's CORS headers.

// DefaultSDKSize is the size of the mock's GET /widget/sdk.js body when
// Config.SDKSize is zero: about a production build of Helper's
// packages/sdk (React, react-dom, rrweb's recorder and modern-screenshot,
// minified). The real size depends on the build; measure yours with
// curl -so /dev/null -w '%{size_download}' https://helper.example.com/widget/sdk.js.
const DefaultSDKSize = 300 << 10

// sdkName is the file names app/widget/[name]/route.tsx serves from public/.
var sdkName = regexp.MustCompile(`(?i)^sdk-?[a-z0-9_\-]*\.js$`)

// sdkHeader opens the mock's sdk.js.
const sdkHeader = "/* loadgen mock: stands in for Helper's widget loader (public/sdk.js). */\n"

// sdkScript returns a syntactically valid script of exactly size bytes
// (at least the header's length) standing in for public/sdk.js.
func sdkScript(size int) []byte {
	const head = sdkHeader
	var b strings.Builder
	b.Grow(max(size, len(head)))
	b.WriteString(head)
	for i := 0; b.Len() < size; i++ {
		line := "var h" + strconv.Itoa(i) + "=" + strconv.Itoa(i*7919%1000003) + ";\n"
		if room := size - b.Len(); len(line) > room {
			line = strings.Repeat(" ", room-1) + "\n"
			if room == 1 {
				line = "\n"
			}
		}
		b.WriteString(line)
	}
	return []byte(b.String())
}

// handleSDK serves GET /widget/{name} as app/widget/[name]/route.tsx does:
// sdk.js with its cache and CORS headers; any other name, or a name the
// route accepts but public/ does not hold, is a 404 {"error":"Not found"}.
func (s *Server) handleSDK(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !sdkName.MatchString(name) || name != "sdk.js" {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/javascript")
	setSDKCORS(h)
	h.Set("Cache-Control", "public, max-age=300, s-maxage=86400")
	h.Set("Content-Length", strconv.Itoa(len(s.sdk)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(s.sdk)
	}
}

// handleSDKOptions answers the loader route's preflight: 200 (not 204), for
// any name.
func handleSDKOptions(w http.ResponseWriter, r *http.Request) {
	setSDKCORS(w.Header())
	w.WriteHeader(http.StatusOK)
}

func setSDKCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
}

// corsAllowHeaders is what every API route allows (app/api/widget/utils.ts).
const corsAllowHeaders = "Content-Type, Authorization"

// corsOptions returns an API route's OPTIONS handler: 204 with the methods
// it lists and OPTIONS. Like Helper's corsOptions(...methods), a route that
// lists none (the session route) sends ", OPTIONS".
func corsOptions(methods ...string) http.HandlerFunc {
	allow := strings.Join(methods, ", ") + ", OPTIONS"
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Allow-Methods", allow)
		w.WriteHeader(http.StatusNoContent)
	}
}

// setCORS sets the headers of Helper's corsResponse: every one says
// "POST, OPTIONS", whatever the route's method.
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
}
