package mockserver

import (
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Attachments: base64 data URLs on POST /api/chat (the message's
// experimental_attachments, as the widget sends screenshots and files) and
// on POST …/message (attachments), checked as Helper's
// lib/shared/attachmentValidation.ts validateAttachments does.

// Helper's attachment limits.
const (
	maxAttachments      = 5
	maxAttachmentBytes  = 25 * 1024 * 1024 // decoded, per file
	maxAttachmentsBytes = 50 * 1024 * 1024 // decoded, in all
)

var (
	supportedAttachmentTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
	attachmentDataURL        = regexp.MustCompile(`^data:(image/(png|jpeg|gif|webp)|application/pdf);base64,.+`)
)

// attachmentIn is one attachment as a route read it. Fields are what the
// client sent ("" when absent).
type attachmentIn struct {
	name, url, contentType string
}

// attachmentJSON is an attachment's JSON; a nil field was absent or null.
type attachmentJSON struct {
	Name        *string `json:"name"`
	URL         *string `json:"url"`
	ContentType *string `json:"contentType"`
}

// dataField returns JavaScript's url.split(",")[1]: the text between the
// first and second comma ("" when there is none).
func dataField(url string) string {
	_, rest, _ := strings.Cut(url, ",")
	data, _, _ := strings.Cut(rest, ",")
	return data
}

// decodedSize is validateAttachment's size estimate of a data URL's
// payload: ⌈len·3/4⌉ of its base64 text.
func decodedSize(url string) int {
	if !strings.HasPrefix(url, "data:") {
		return 0
	}
	return (len(dataField(url))*3 + 3) / 4
}

// jsMB is Math.round(n / 1024 / 1024) as Helper's messages print it.
func jsMB(n int) string {
	return strconv.FormatFloat(math.Floor(float64(n)/1024/1024+0.5), 'f', -1, 64)
}

// validateAttachments returns Helper's 400 message for atts, its errors
// joined by ", ", or "" when they pass. Names are as the route passes them
// (att.name || "unknown").
func validateAttachments(atts []attachmentIn) string {
	var errs []string
	if len(atts) > maxAttachments {
		errs = append(errs, "Cannot upload more than "+strconv.Itoa(maxAttachments)+" files total")
	}
	total := 0
	for _, a := range atts {
		name := orDefault(a.name, "unknown")
		switch {
		case a.url == "":
			errs = append(errs, name+": Missing URL")
			continue
		case a.contentType != "" && !slices.Contains(supportedAttachmentTypes, a.contentType):
			errs = append(errs, name+": Only image and PDF files are supported")
			continue
		case !attachmentDataURL.MatchString(a.url):
			errs = append(errs, name+": Invalid data URL format")
		}
		size := decodedSize(a.url)
		if size > maxAttachmentBytes {
			errs = append(errs, name+": File size ("+jsMB(size)+"MB) exceeds limit (25MB)")
		}
		total += size
	}
	if total > maxAttachmentsBytes {
		errs = append(errs, "Total file size ("+jsMB(total)+"MB) exceeds limit (50MB)")
	}
	return strings.Join(errs, ", ")
}

// checkAttachments answers a request whose attachments Helper refuses and
// returns ok = false; otherwise it returns what to store. Validation errors
// are a 400 with corsResponse; an attachment without a data field is a 400
// naming it (POST …/message) or, where Helper's code throws on it (POST
// /api/chat, throws true), a bare 500.
func (s *Server) checkAttachments(w http.ResponseWriter, r *http.Request, atts []attachmentIn, throws bool) ([]storedAttachment, bool) {
	if msg := validateAttachments(atts); msg != "" {
		s.reject(r, &s.counts.invalidAttachment, "invalid_attachment")
		corsError(w, http.StatusBadRequest, msg)
		return nil, false
	}
	files, bad, ok := storedAttachments(atts)
	if !ok {
		s.reject(r, &s.counts.invalidAttachment, "invalid_attachment")
		if throws {
			unhandled(w)
		} else {
			corsError(w, http.StatusBadRequest, "Attachment "+bad+" has invalid URL format")
		}
		return nil, false
	}
	return files, true
}

// storedAttachments returns what the route stores of atts after they passed:
// name || "unknown.png", contentType || "image/png", and the decoded size. ok
// is false when an attachment has no data field (Helper then throws on
// /api/chat and answers 400 on …/message).
func storedAttachments(atts []attachmentIn) (out []storedAttachment, bad string, ok bool) {
	for _, a := range atts {
		data := dataField(a.url)
		if data == "" {
			return nil, orDefault(a.name, "unknown"), false
		}
		out = append(out, storedAttachment{
			name: orDefault(a.name, "unknown.png"), contentType: orDefault(a.contentType, "image/png"),
			size: base64Len(data),
		})
	}
	return out, "", true
}

// base64Len is the decoded length of padded base64 text (what Helper stores
// is Buffer.from(data, "base64")).
func base64Len(data string) int {
	n := len(data) / 4 * 3
	if rem := len(data) % 4; rem > 1 {
		n += rem - 1 // unpadded text
	}
	return n - (len(data) - len(strings.TrimRight(data, "=")))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// parseChatAttachments reads POST /api/chat's message.experimental_attachments,
// which Helper does not schema-check: absent or null is none; not an array
// or an item that is not an object makes its code throw (ok = false). The
// mock also refuses fields that are not strings that way, where Helper would
// coerce some of them.
func parseChatAttachments(raw json.RawMessage) (atts []attachmentIn, ok bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var items []*attachmentJSON
	if json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	for _, it := range items {
		if it == nil {
			return nil, false
		}
		atts = append(atts, attachmentIn{name: deref(it.Name), url: deref(it.URL), contentType: deref(it.ContentType)})
	}
	return atts, true
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// postMessageRequest is POST …/message's body, as Helper's schema
// (createMessageBodySchema) reads it: content a string, attachments
// (optional, not null) objects whose name, url and contentType are strings.
// A body that fails it throws (500).
type postMessageRequest struct {
	Content     *string         `json:"content"`
	Attachments json.RawMessage `json:"attachments"`
}

// parsePostMessage parses body; ok is false when it fails the schema.
func parsePostMessage(body []byte) (content string, atts []attachmentIn, ok bool) {
	var req postMessageRequest
	if json.Unmarshal(body, &req) != nil || req.Content == nil {
		return "", nil, false
	}
	if len(req.Attachments) > 0 {
		var items []attachmentJSON
		if string(req.Attachments) == "null" || json.Unmarshal(req.Attachments, &items) != nil {
			return "", nil, false
		}
		for _, a := range items {
			if a.Name == nil || a.URL == nil || a.ContentType == nil {
				return "", nil, false
			}
			atts = append(atts, attachmentIn{name: *a.Name, url: *a.URL, contentType: *a.ContentType})
		}
	}
	return *req.Content, atts, true
}
