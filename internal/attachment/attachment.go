// Package attachment makes the files a load test attaches to messages:
// valid PNG, JPEG and PDF files of an exact size, with deterministic
// content, as the base64 data URLs Helper's widget sends
// (message.experimental_attachments on POST /api/chat: a screenshot
// "data:image/png;base64,…", or a file read with FileReader.readAsDataURL).
//
// Images are noise (they do not compress, so their dimensions grow with
// their size as a real screenshot's do, and a vision model sees a real
// image); the rest of the size is an ancillary chunk (PNG tEXt, JPEG COM)
// that decoders skip. A PDF is one blank page whose content stream is
// padded with comment lines. The same type, size and seed always give the
// same bytes, so a run is reproducible and a server's byte counts can be
// checked exactly.
package attachment

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// Type is a file type Helper accepts (lib/shared/attachmentValidation.ts:
// images and PDF).
type Type string

// The types.
const (
	PNG  Type = "png"
	JPEG Type = "jpeg"
	PDF  Type = "pdf"
)

// Types returns every Type, in a fixed order.
func Types() []Type { return []Type{PNG, JPEG, PDF} }

// ParseType reads a type as a scenario writes it: png, jpeg (or jpg), pdf,
// or image (a PNG, as the widget's screenshots are).
func ParseType(s string) (Type, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "png", "image":
		return PNG, nil
	case "jpeg", "jpg":
		return JPEG, nil
	case "pdf":
		return PDF, nil
	}
	return "", fmt.Errorf("attachment: unknown type %q (want image, png, jpeg or pdf)", s)
}

// ContentType returns t's MIME type.
func (t Type) ContentType() string {
	switch t {
	case PNG:
		return "image/png"
	case JPEG:
		return "image/jpeg"
	case PDF:
		return "application/pdf"
	}
	return ""
}

// Ext returns t's file name extension, without the dot.
func (t Type) Ext() string { return string(t) }

// Helper's limits (lib/shared/attachmentValidation.ts), in decoded bytes.
const (
	MaxSize    = 25 * 1024 * 1024 // one file
	MaxTotal   = 50 * 1024 * 1024 // all files of a message
	MaxPerTurn = 5                // files of a message
)

// HelperSize returns the size Helper reckons for a file of n bytes sent as
// a base64 data URL: ⌈len(base64)·3/4⌉, padding included, which is 3⌈n/3⌉.
// Its limits apply to that, so a file of exactly MaxSize is refused;
// MaxAccepted is the largest that passes.
func HelperSize(n int) int { return 3 * ((n + 2) / 3) }

// MaxAccepted is the largest file whose HelperSize is within MaxSize.
const MaxAccepted = MaxSize / 3 * 3

// MinSize returns the smallest file of type t that File makes.
func MinSize(t Type) int {
	switch t {
	case PNG:
		return minPNG
	case JPEG:
		return minJPEG
	case PDF:
		return minPDF
	}
	return 0
}

// File returns a valid file of type t of exactly size bytes, its content
// drawn from seed. It fails for an unknown type or a size below MinSize(t)
// or above MaxSize.
func File(t Type, size int, seed uint64) ([]byte, error) {
	if min := MinSize(t); min == 0 {
		return nil, fmt.Errorf("attachment: unknown type %q", t)
	} else if size < min || size > MaxSize {
		return nil, fmt.Errorf("attachment: %s of %d bytes: want %d to %d bytes", t, size, min, MaxSize)
	}
	var b []byte
	switch t {
	case PNG:
		b = makePNG(size, seed)
	case JPEG:
		b = makeJPEG(size, seed)
	case PDF:
		b = makePDF(size, seed)
	}
	if len(b) != size { // a bug, not an input error
		panic(fmt.Sprintf("attachment: made a %s of %d bytes, want %d", t, len(b), size))
	}
	return b, nil
}

// DataURL returns data as a base64 data URL of type t, as a browser's
// FileReader.readAsDataURL writes it.
func DataURL(t Type, data []byte) string {
	prefix := "data:" + t.ContentType() + ";base64,"
	var b strings.Builder
	b.Grow(len(prefix) + base64.StdEncoding.EncodedLen(len(data)))
	b.WriteString(prefix)
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	enc.Write(data)
	enc.Close()
	return b.String()
}

// noise fills b with deterministic bytes from seed (SplitMix64).
func noise(b []byte, seed uint64) {
	x := seed
	for i := 0; i < len(b); i += 8 {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(z >> (8 * j))
		}
	}
}

// padding returns n bytes of printable filler text.
func padding(n int) []byte {
	const line = "loadgen attachment padding: decoders skip this. "
	return bytes.Repeat([]byte(line), n/len(line)+1)[:n]
}
