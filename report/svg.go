package report

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Charts are drawn as inline SVG by this file, so that the HTML report is one
// file that needs nothing from the network.

const (
	chartW, chartH                         = 1080, 250
	padLeft, padRight, padTop, padBottom   = 64, 16, 34, 38
	plotW, plotH                           = chartW - padLeft - padRight, chartH - padTop - padBottom
	colorBlue, colorOrange, colorRed       = "#2f6fdf", "#e8871e", "#d23c3c"
	colorGreen, colorGrey, colorLightGreen = "#2e9d5b", "#8a8f98", "#9ad3ad"
)

// line is one series of a line chart; NaN values leave a gap.
type line struct {
	name  string
	color string
	ys    []float64
	dash  bool
}

// lineChart draws series over xs (seconds from the start). format labels
// the y axis.
func lineChart(title string, xs []float64, lines []line, format func(float64) string) string {
	var b strings.Builder
	svgOpen(&b, title)
	xmax := 1.0
	if len(xs) > 0 {
		xmax = math.Max(xs[len(xs)-1], 1)
	}
	ymax := 0.0
	for _, l := range lines {
		for _, y := range l.ys {
			if !math.IsNaN(y) {
				ymax = math.Max(ymax, y)
			}
		}
	}
	yticks := niceTicks(ymax, 5)
	ytop := yticks[len(yticks)-1]
	xpos := func(x float64) float64 { return padLeft + x/xmax*plotW }
	ypos := func(y float64) float64 { return padTop + plotH - y/ytop*plotH }
	for _, t := range yticks {
		y := ypos(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="grid"/>`, padLeft, y, padLeft+plotW, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="ylabel">%s</text>`, padLeft-6, y+4, html.EscapeString(format(t)))
	}
	for _, t := range niceTicks(xmax, 10) {
		if t > xmax {
			break
		}
		x := xpos(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="tick"/>`, x, padTop+plotH, x, padTop+plotH+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="xlabel">%s</text>`, x, padTop+plotH+18, fmtClock(t))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, padLeft, padTop+plotH, padLeft+plotW, padTop+plotH)
	for _, l := range lines {
		var d strings.Builder
		pen := false
		for i, y := range l.ys {
			if i >= len(xs) || math.IsNaN(y) {
				pen = false
				continue
			}
			cmd := 'L'
			if !pen {
				cmd = 'M'
			}
			fmt.Fprintf(&d, "%c%.1f %.1f", cmd, xpos(xs[i]), ypos(y))
			pen = true
		}
		dash := ""
		if l.dash {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>`, d.String(), l.color, dash)
	}
	legend(&b, lines)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="xtitle">time since start</text>`, padLeft+plotW, chartH-4)
	b.WriteString("</svg>")
	return b.String()
}

func legend(b *strings.Builder, lines []line) {
	x := float64(padLeft + plotW)
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		w := float64(7*len(l.name) + 26)
		x -= w
		fmt.Fprintf(b, `<rect x="%.0f" y="10" width="14" height="4" fill="%s"/>`, x, l.color)
		fmt.Fprintf(b, `<text x="%.0f" y="16" class="legend">%s</text>`, x+18, html.EscapeString(l.name))
	}
}

// barChart draws bars (a histogram); labels formats the bar edges.
func barChart(title string, bars []Bar, format func(float64) string) string {
	var b strings.Builder
	svgOpen(&b, title)
	var ymax int64
	for _, bar := range bars {
		ymax = max(ymax, bar.Count)
	}
	yticks := niceTicks(float64(ymax), 5)
	ytop := yticks[len(yticks)-1]
	ypos := func(y float64) float64 { return padTop + plotH - y/ytop*plotH }
	for _, t := range yticks {
		y := ypos(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="grid"/>`, padLeft, y, padLeft+plotW, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="ylabel">%s</text>`, padLeft-6, y+4, fmtCount(t))
	}
	n := max(len(bars), 1)
	bw := float64(plotW) / float64(n)
	every := max(1, n/10)
	for i, bar := range bars {
		x := padLeft + float64(i)*bw
		y := ypos(float64(bar.Count))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s – %s: %d</title></rect>`,
			x+1, y, math.Max(bw-2, 1), padTop+plotH-y, colorBlue,
			html.EscapeString(format(bar.From)), html.EscapeString(format(bar.To)), bar.Count)
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="xlabel">%s</text>`, x, padTop+plotH+18, html.EscapeString(format(bar.From)))
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, padLeft, padTop+plotH, padLeft+plotW, padTop+plotH)
	b.WriteString("</svg>")
	return b.String()
}

func svgOpen(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		chartW, chartH, html.EscapeString(title))
	fmt.Fprintf(b, `<text x="%d" y="16" class="ctitle">%s</text>`, padLeft, html.EscapeString(title))
}

// niceTicks returns 0 and about n round steps up to at least top.
func niceTicks(top float64, n int) []float64 {
	if top <= 0 || math.IsNaN(top) || math.IsInf(top, 0) {
		top = 1
	}
	raw := top / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for t := 0.0; ; t += step {
		ticks = append(ticks, t)
		if t >= top-step*1e-9 {
			return ticks
		}
	}
}

// fmtClock formats seconds since the start as 45s, 2m30s, 1h05m.
func fmtClock(sec float64) string {
	s := int(math.Round(sec))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%dm", s/60)
		}
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
}

func fmtCount(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.2g", x)
}
