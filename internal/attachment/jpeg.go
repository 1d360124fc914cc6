package attachment

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"sync"
)

// A JPEG here is a grayscale image of noise sized to fill most of the
// file, the rest COM (comment) segments right after the SOI marker.

const (
	comOverhead = 4              // FF FE and a two-byte length
	comMaxData  = 65535 - 2      // a segment's length field counts itself
	comMax      = comMaxData + 4 // the largest segment
	jpegQuality = 85             //
	jpegMaxSide = 4096           //
)

// minJPEG is the size of the 1×1 mid-gray image small files start from,
// with the smallest comment segment (so every larger size can be padded).
var minJPEG = len(tinyJPEG()) + comOverhead

var tinyOnce = sync.OnceValue(func() []byte {
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	img.Pix[0] = 128
	return encodeJPEG(img)
})

func tinyJPEG() []byte { return tinyOnce() }

func encodeJPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		panic("attachment: jpeg: " + err.Error()) // encoding to memory cannot fail
	}
	return buf.Bytes()
}

func noiseImage(side int, seed uint64) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, side, side))
	noise(img.Pix, seed)
	return img
}

func makeJPEG(size int, seed uint64) []byte {
	img := tinyJPEG()
	// Noise costs about the same per pixel whatever the seed: a sample
	// gives the ratio, a few tries the largest image that fits.
	sample := len(encodeJPEG(noiseImage(64, seed)))
	perPixel := float64(sample) / (64 * 64)
	side := min(jpegMaxSide, int(math.Sqrt(float64(size)*0.9/perPixel)))
	for try := 0; try < 6 && side >= 8; try++ {
		b := encodeJPEG(noiseImage(side, seed))
		if rem := size - len(b); rem == 0 || rem >= comOverhead {
			img = b
			break
		}
		side = int(float64(side) * math.Sqrt(float64(size)/float64(len(b))) * 0.97)
	}
	if rem := size - len(img); rem != 0 && rem < comOverhead {
		img = tinyJPEG()
	}
	return padJPEG(img, size)
}

// padJPEG inserts COM segments after SOI so that img is size bytes long;
// size-len(img) is 0 or at least comOverhead.
func padJPEG(img []byte, size int) []byte {
	rem := size - len(img)
	out := make([]byte, 0, size)
	out = append(out, img[:2]...) // SOI
	for rem > 0 {
		n := min(rem, comMax)
		if left := rem - n; left > 0 && left < comOverhead {
			n -= comOverhead // leave enough for one more segment
		}
		data := n - comOverhead
		out = append(out, 0xFF, 0xFE, byte((data+2)>>8), byte(data+2))
		out = append(out, padding(data)...)
		rem -= n
	}
	return append(out, img[2:]...)
}
