// Package statmath holds the small pieces of statistics that loadgen's verdicts
// rest on: quantiles of the normal and Student t laws, the Wilson interval of
// a proportion, batch means for autocorrelated series, a least-squares line
// with its standard error, and the Kolmogorov–Smirnov distance. Every
// function is pure and safe for concurrent use.
package statmath

import (
	"math"
)

// NormalQuantile returns the p-quantile of the standard normal law
// (0 < p < 1): NormalQuantile(0.975) ≈ 1.96.
func NormalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// TQuantile returns the p-quantile of Student's t law with df degrees of
// freedom (df ≥ 1, 0 < p < 1): TQuantile(0.975, 9) ≈ 2.262. A df above
// 1000 uses the normal law.
func TQuantile(p float64, df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	if df > 1000 {
		return NormalQuantile(p)
	}
	if p == 0.5 {
		return 0
	}
	if p < 0.5 {
		return -TQuantile(1-p, df)
	}
	// Bisection on the CDF: monotone, and the bracket below holds every
	// quantile we use (p ≤ 1 − 1e-12).
	lo, hi := 0.0, 1.0
	for TCDF(hi, df) < p {
		lo, hi = hi, hi*2
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if TCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-12*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// TCDF returns P(T ≤ t) for Student's t law with df degrees of freedom.
func TCDF(t float64, df int) float64 {
	v := float64(df)
	x := v / (v + t*t)
	tail := 0.5 * regIncBeta(v/2, 0.5, x) // P(T > |t|)
	if t >= 0 {
		return 1 - tail
	}
	return tail
}

// regIncBeta is the regularized incomplete beta function I_x(a, b), by its
// continued fraction (modified Lentz), with the symmetry that keeps the
// fraction convergent.
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log1p(-x))
	if x > (a+1)/(a+b+2) {
		return 1 - front*betaFraction(b, a, 1-x)/b
	}
	return front * betaFraction(a, b, x) / a
}

func betaFraction(a, b, x float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	f := d
	for m := 1; m <= 500; m++ {
		m2 := float64(2 * m)
		fm := float64(m)
		for _, num := range [2]float64{
			fm * (b - fm) * x / ((a + m2 - 1) * (a + m2)),
			-(a + fm) * (a + b + fm) * x / ((a + m2) * (a + m2 + 1)),
		} {
			d = 1 + num*d
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = 1 + num/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			f *= c * d
		}
		if math.Abs(c*d-1) < 1e-15 {
			break
		}
	}
	return f
}

// Wilson returns the Wilson score interval of a proportion: good successes
// out of n trials at the two-sided confidence level conf (0.95). It stays
// inside [0, 1] and is sensible at 0 and n successes, where the normal
// interval collapses to a point. With n = 0 it is [0, 1].
func Wilson(good, n int, conf float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	return WilsonShare(float64(good)/float64(n), float64(n), conf)
}

// WilsonShare is Wilson for an observed share p of n trials, where n need
// not be whole: an effective sample size (n over the IACT) for correlated
// trials.
func WilsonShare(p, n, conf float64) (lo, hi float64) {
	if !(n > 0) {
		return 0, 1
	}
	z := NormalQuantile(1 - (1-conf)/2)
	nf := n
	z2 := z * z
	center := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return max(0, center-half), min(1, center+half)
}

// KS returns the Kolmogorov–Smirnov distance between the empirical law of
// sorted (ascending) and the continuous law with distribution function cdf.
// Under that law, √n·KS exceeds 1.63 with probability about 1 %.
func KS(sorted []float64, cdf func(float64) float64) float64 {
	n := float64(len(sorted))
	var d float64
	for i, x := range sorted {
		f := cdf(x)
		d = max(d, f-float64(i)/n, float64(i+1)/n-f)
	}
	return d
}
