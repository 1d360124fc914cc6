package statmath

import "math"

// Line is a least-squares straight line y = Intercept + Slope·x.
type Line struct {
	Slope, Intercept float64
	// SlopeSE is the slope's standard error from the residuals; DF their
	// degrees of freedom (points − 2). With fewer than 3 points, or x all
	// equal, SlopeSE is NaN.
	SlopeSE float64
	DF      int
}

// FitLine fits a line to the points (xs[i], ys[i]) by least squares.
func FitLine(xs, ys []float64) Line {
	n := len(xs)
	if n == 0 || n != len(ys) {
		return Line{Slope: math.NaN(), Intercept: math.NaN(), SlopeSE: math.NaN()}
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, sxy float64
	for i := range xs {
		dx := xs[i] - mx
		sxx += dx * dx
		sxy += dx * (ys[i] - my)
	}
	if sxx == 0 {
		return Line{Slope: math.NaN(), Intercept: my, SlopeSE: math.NaN(), DF: n - 2}
	}
	l := Line{Slope: sxy / sxx, DF: n - 2}
	l.Intercept = my - l.Slope*mx
	if n < 3 {
		l.SlopeSE = math.NaN()
		return l
	}
	var sse float64
	for i := range xs {
		r := ys[i] - l.Intercept - l.Slope*xs[i]
		sse += r * r
	}
	l.SlopeSE = math.Sqrt(sse / float64(n-2) / sxx)
	return l
}

// SlopeInterval returns the two-sided interval of the slope at confidence
// conf (Student t with the line's degrees of freedom), or NaNs when the
// line has no standard error.
func (l Line) SlopeInterval(conf float64) (lo, hi float64) {
	if math.IsNaN(l.SlopeSE) || l.DF < 1 {
		return math.NaN(), math.NaN()
	}
	h := TQuantile(1-(1-conf)/2, l.DF) * l.SlopeSE
	return l.Slope - h, l.Slope + h
}

// RatioBatches estimates Σnum/Σden from per-batch sums and returns the
// batch-means interval at confidence conf: the ratio estimator's variance
// from the spread of the batches, with Student t on batches − 1 degrees of
// freedom. Batches long against the correlation time of the underlying
// series are nearly independent even when the single observations are not
// (requests queued behind one another), which is why a proportion measured
// under load gets this interval rather than the binomial one alone. Batches
// with den = 0 are skipped; with fewer than 2 left, lo and hi are NaN.
func RatioBatches(num, den []float64, conf float64) (est, lo, hi float64) {
	var sn, sd float64
	k := 0
	for i := range den {
		if den[i] > 0 {
			sn += num[i]
			sd += den[i]
			k++
		}
	}
	if sd == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	est = sn / sd
	if k < 2 {
		return est, math.NaN(), math.NaN()
	}
	var ss float64
	for i := range den {
		if den[i] > 0 {
			r := num[i] - est*den[i]
			ss += r * r
		}
	}
	// Var(R̂) ≈ k/(k−1) · Σ(numᵢ − R̂·denᵢ)² / (Σden)².
	se := math.Sqrt(float64(k)/float64(k-1)*ss) / sd
	h := TQuantile(1-(1-conf)/2, k-1) * se
	return est, est - h, est + h
}
