package attachment

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// sizes covers each type's smallest file, the sizes around a padding
// chunk's minimum, block boundaries and a large file.
func sizes(t Type) []int {
	m := MinSize(t)
	return []int{m, m + 1, m + 3, m + 4, m + 19, m + 20, m + 21, 1000, 4096, 65535 + 80, 150 << 10}
}

func TestFileSizeAndValidity(t *testing.T) {
	for _, typ := range Types() {
		for _, size := range sizes(typ) {
			b, err := File(typ, size, 7)
			if err != nil {
				t.Fatalf("File(%s, %d): %v", typ, size, err)
			}
			if len(b) != size {
				t.Fatalf("File(%s, %d): %d bytes", typ, size, len(b))
			}
			switch typ {
			case PNG:
				if _, err := png.Decode(bytes.NewReader(b)); err != nil {
					t.Errorf("File(png, %d) does not decode: %v", size, err)
				}
			case JPEG:
				if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
					t.Errorf("File(jpeg, %d) does not decode: %v", size, err)
				}
			case PDF:
				checkPDF(t, b)
			}
		}
	}
}

// checkPDF checks the header, the trailer and that every xref offset
// points at its object.
func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	s := string(b)
	if !strings.HasPrefix(s, "%PDF-1.4\n") || !strings.HasSuffix(s, "%%EOF\n") {
		t.Fatalf("PDF of %d bytes: bad header or trailer", len(b))
	}
	i := strings.LastIndex(s, "startxref\n")
	var xref int
	for _, c := range s[i+len("startxref\n"):] {
		if c < '0' || c > '9' {
			break
		}
		xref = xref*10 + int(c-'0')
	}
	if !strings.HasPrefix(s[xref:], "xref\n0 5\n") {
		t.Fatalf("PDF of %d bytes: startxref %d does not point at the xref table", len(b), xref)
	}
	lines := strings.Split(s[xref:], "\n")[3:7]
	for obj, l := range lines {
		var off int
		for _, c := range l[:10] {
			off = off*10 + int(c-'0')
		}
		if want := string(rune('1'+obj)) + " 0 obj"; !strings.HasPrefix(s[off:], want) {
			t.Errorf("PDF of %d bytes: xref entry %d (%d) points at %.10q, want %q", len(b), obj+1, off, s[off:], want)
		}
	}
}

func TestFileIsDeterministic(t *testing.T) {
	for _, typ := range Types() {
		a, _ := File(typ, 5000, 1)
		b, _ := File(typ, 5000, 1)
		c, _ := File(typ, 5000, 2)
		if !bytes.Equal(a, b) {
			t.Errorf("File(%s, 5000, 1) differs between calls", typ)
		}
		if bytes.Equal(a, c) {
			t.Errorf("File(%s, 5000, 1) equals File(%s, 5000, 2), want the seed to change it", typ, typ)
		}
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		typ  Type
		size int
	}{
		{PNG, MinSize(PNG) - 1}, {JPEG, 10}, {PDF, 0}, {PNG, MaxSize + 1}, {"gif", 1000},
	}
	for _, tt := range tests {
		if _, err := File(tt.typ, tt.size, 0); err == nil || !strings.HasPrefix(err.Error(), "attachment: ") {
			t.Errorf("File(%s, %d) error = %v, want an attachment: error", tt.typ, tt.size, err)
		}
	}
}

func TestDataURL(t *testing.T) {
	b, _ := File(PDF, 1234, 3)
	url := DataURL(PDF, b)
	prefix := "data:application/pdf;base64,"
	if !strings.HasPrefix(url, prefix) {
		t.Fatalf("DataURL = %.40q…, want prefix %q", url, prefix)
	}
	got, err := base64.StdEncoding.DecodeString(url[len(prefix):])
	if err != nil || !bytes.Equal(got, b) {
		t.Errorf("DataURL payload decodes to %d bytes (%v), want the file's %d", len(got), err, len(b))
	}
	// Helper's estimate of the decoded size, ⌈len·3/4⌉ of the base64 text,
	// may count up to two padding bytes.
	if est := ((len(url)-len(prefix))*3 + 3) / 4; est < len(b) || est > len(b)+2 {
		t.Errorf("Helper's size estimate %d, file %d", est, len(b))
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]Type{"image": PNG, "PNG": PNG, "jpg": JPEG, "jpeg": JPEG, " pdf ": PDF} {
		if got, err := ParseType(in); got != want || err != nil {
			t.Errorf("ParseType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseType("txt"); err == nil || !strings.Contains(err.Error(), "want image, png, jpeg or pdf") {
		t.Errorf("ParseType(txt) error = %v", err)
	}
}

func ExampleFile() {
	b, err := File(PNG, 2048, 1)
	if err != nil {
		panic(err)
	}
	url := DataURL(PNG, b)
	fmt.Println(len(b), url[:21])
	// Output: 2048 data:image/png;base64
}

func BenchmarkFilePNG1MB(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		File(PNG, 1<<20, 1)
	}
}

// TestHelperSize holds HelperSize to Helper's reckoning of a data URL's
// payload, ⌈len(base64)·3/4⌉.
func TestHelperSize(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 1000, MaxAccepted, MaxSize} {
		enc := base64.StdEncoding.EncodedLen(n)
		if got, want := HelperSize(n), (enc*3+3)/4; got != want {
			t.Errorf("HelperSize(%d) = %d, want %d", n, got, want)
		}
	}
	if HelperSize(MaxAccepted) > MaxSize || HelperSize(MaxAccepted+1) <= MaxSize {
		t.Errorf("MaxAccepted %d is not the largest size within MaxSize", MaxAccepted)
	}
}
