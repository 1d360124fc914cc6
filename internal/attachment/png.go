package attachment

import (
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
)

// A PNG here is an 8-bit grayscale image of noise, its pixel data stored in
// uncompressed deflate blocks (so the size is exact), then, when bytes
// remain, a tEXt chunk of padding.

const (
	pngFixed   = 8 + 25 + 12 + 12 // signature, IHDR, IDAT's chunk overhead, IEND
	pngZlib    = 2 + 4            // zlib header and Adler-32
	pngBlock   = 65535            // the largest stored deflate block
	pngTextMin = 12 + 8           // a tEXt chunk with the keyword "Comment" and no text
	pngMaxW    = 1024
	minPNG     = pngFixed + pngZlib + 5 + 2 // a 1×1 image
)

// pngSize is the size of a w×h image without padding.
func pngSize(w, h int) int {
	raw := h * (w + 1) // a filter byte per row
	blocks := max(1, (raw+pngBlock-1)/pngBlock)
	return pngFixed + pngZlib + raw + 5*blocks
}

// pngDims picks w×h whose size leaves no remainder or room for a tEXt chunk.
func pngDims(size int) (w, h int) {
	w = min(pngMaxW, max(1, size-minPNG+1))
	h = max(1, (size-pngFixed)/(w+1))
	for {
		rem := size - pngSize(w, h)
		switch {
		case rem == 0 || rem >= pngTextMin:
			return w, h
		case h > 1:
			h--
		default:
			w-- // rem < 0 or a remainder too small for a chunk: a narrower single row
		}
	}
}

func makePNG(size int, seed uint64) []byte {
	w, h := pngDims(size)
	out := make([]byte, 0, size)
	out = append(out, "\x89PNG\r\n\x1a\n"...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // bit depth; color type 0 (gray), compression, filter and interlace 0
	out = appendChunk(out, "IHDR", ihdr[:])

	raw := make([]byte, h*(w+1))
	noise(raw, seed)
	for y := range h {
		raw[y*(w+1)] = 0 // filter: none
	}
	z := make([]byte, 0, len(raw)+len(raw)/pngBlock*5+16)
	z = append(z, 0x78, 0x01)
	for i := 0; ; i += pngBlock {
		n := min(pngBlock, len(raw)-i)
		final := byte(0)
		if i+n == len(raw) {
			final = 1
		}
		z = append(z, final, byte(n), byte(n>>8), byte(^n), byte(^n>>8))
		z = append(z, raw[i:i+n]...)
		if final == 1 {
			break
		}
	}
	z = binary.BigEndian.AppendUint32(z, adler32.Checksum(raw))
	out = appendChunk(out, "IDAT", z)
	if rem := size - len(out) - 12; rem > 0 {
		out = appendChunk(out, "tEXt", append([]byte("Comment\x00"), padding(rem-pngTextMin)...))
	}
	return appendChunk(out, "IEND", nil)
}

// appendChunk appends a PNG chunk: length, type, data, CRC of type and data.
func appendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
