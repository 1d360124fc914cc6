package attachment

import (
	"encoding/hex"
	"strconv"
)

// A PDF here is one blank US Letter page whose content stream is padded
// with comment lines to the size asked for.

// minPDF is the size of the PDF with an empty content stream.
var minPDF = len(buildPDF(0, false, 0))

func makePDF(size int, seed uint64) []byte {
	// The stream's length and the xref offset are written in decimal, so a
	// longer stream can add digits; an optional space absorbs the step.
	n := size - minPDF
	for ; n >= 0; n-- {
		for _, space := range []bool{false, true} {
			if b := buildPDF(n, space, seed); len(b) == size {
				return b
			}
		}
	}
	panic("attachment: no PDF layout fits") // MinSize rules this out
}

// buildPDF writes the file with a content stream of n bytes.
func buildPDF(n int, space bool, seed uint64) []byte {
	var offsets [4]int
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> /Contents 4 0 R >>",
	}
	for i, o := range objects {
		offsets[i] = len(b)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, " 0 obj\n"...)
		b = append(b, o...)
		b = append(b, "\nendobj\n"...)
	}
	offsets[3] = len(b)
	b = append(b, "4 0 obj\n<< /Length "...)
	b = strconv.AppendInt(b, int64(n), 10)
	if space {
		b = append(b, ' ')
	}
	b = append(b, " >>\nstream\n"...)
	b = append(b, pdfContent(n, seed)...)
	b = append(b, "\nendstream\nendobj\n"...)
	xref := len(b)
	b = append(b, "xref\n0 5\n0000000000 65535 f \n"...)
	for _, off := range offsets {
		s := strconv.Itoa(off)
		for range 10 - len(s) {
			b = append(b, '0')
		}
		b = append(b, s...)
		b = append(b, " 00000 n \n"...)
	}
	b = append(b, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n"...)
	b = strconv.AppendInt(b, int64(xref), 10)
	return append(b, "\n%%EOF\n"...)
}

// pdfContent returns n bytes of content-stream comments ("% <hex noise>"
// lines), which a viewer ignores.
func pdfContent(n int, seed uint64) []byte {
	if n == 0 {
		return nil
	}
	raw := make([]byte, (n+1)/2)
	noise(raw, seed)
	b := make([]byte, hex.EncodedLen(len(raw)))
	hex.Encode(b, raw)
	b = b[:n]
	for i := 0; i < n; i += 64 {
		b[i] = '%'
		if end := i + 63; end < n {
			b[end] = '\n'
		}
	}
	return b
}
