// loadgen charts: turns each <figure class="lg-chart"> with its JSON data
// (see chart.go) into an interactive uPlot chart. Self-contained: no fetch.
(function () {
  "use strict";
  var palette = ["#2f6fdf", "#e8871e", "#2e9d5b", "#d23c3c", "#8e5bd0", "#1aa3a3", "#b0802a", "#d0559b"];

  function trim(x, digits) { return String(parseFloat(x.toPrecision(digits))); }
  function pad2(n) { return (n < 10 ? "0" : "") + n; }

  function fmtClock(v) {
    if (v == null) return "–";
    var neg = v < 0, s = Math.round(Math.abs(v)), out;
    if (s < 60) out = s + "s";
    else if (s < 3600) out = s % 60 ? Math.floor(s / 60) + "m" + pad2(s % 60) + "s" : s / 60 + "m";
    else out = Math.floor(s / 3600) + "h" + pad2(Math.floor(s % 3600 / 60)) + "m";
    return (neg ? "−" : "") + out;
  }
  function fmtSec(v) {
    if (v == null) return "–";
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a < 1e-3) return trim(v * 1e6, 3) + "µs";
    if (a < 1) return trim(v * 1e3, 3) + "ms";
    if (a < 60) return trim(v, 3) + "s";
    return fmtClock(v);
  }
  function fmtCount(v) {
    if (v == null) return "–";
    var a = Math.abs(v);
    if (a >= 1e6) return trim(v / 1e6, 3) + "M";
    if (a >= 1e4) return trim(v / 1e3, 3) + "k";
    if (a >= 100) return String(Math.round(v));
    return trim(v, 3);
  }
  var formats = {
    s: fmtSec,
    clock: fmtClock,
    count: fmtCount,
    rate: function (v) { return v == null ? "–" : fmtCount(v) + "/s"; },
    ratio: function (v) { return v == null ? "–" : trim(v * 100, 3) + "%"; },
  };
  function formatter(unit) { return formats[unit] || fmtCount; }

  // Tick steps: round clock steps for time since the start, 1-2-5 decades
  // for the rest.
  var clockIncrs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  var decIncrs = [];
  for (var e = -7; e <= 9; e++) {
    [1, 2, 2.5, 5].forEach(function (m) { decIncrs.push(parseFloat((m * Math.pow(10, e)).toPrecision(3))); });
  }

  function axis(spec, isX) {
    var f = formatter(spec.unit);
    var a = {
      label: spec.label || "",
      labelSize: spec.label ? 18 : 0,
      labelFont: "11px sans-serif",
      font: "11px sans-serif",
      stroke: "#5f6673",
      grid: { stroke: "#eef0f3", width: 1 },
      ticks: { stroke: "#b9bec7", width: 1, size: 4 },
      incrs: spec.unit === "clock" ? clockIncrs : decIncrs,
      space: isX ? 60 : 36,
      values: function (u, splits) { return splits.map(f); },
    };
    a.size = isX ? 24 : 64;
    if (isX && spec.label) { a.labelSize = 14; a.labelGap = 0; }
    return a;
  }

  // isolated picks the values no line can reach (both neighbours missing):
  // they are drawn as dots, or a run shorter than one interval, or a step
  // seen in one interval only, would not show at all.
  function isolated(u, si) {
    var d = u.data[si], idxs = [];
    for (var i = 0; i < d.length; i++) {
      if (d[i] != null && (i === 0 || d[i - 1] == null) && (i === d.length - 1 || d[i + 1] == null)) idxs.push(i);
    }
    return idxs.length ? idxs : null;
  }

  function lineOpts(c, s, i) {
    var color = s.color || palette[i % palette.length];
    var o = {
      label: s.label,
      stroke: color,
      width: s.width || 1.75,
      spanGaps: !!c.span,
      value: function (u, v) { return formatter(c.y.unit)(v); },
      points: { show: false, filter: c.span || c.kind === "bars" ? null : isolated },
    };
    if (s.dash) o.dash = [6, 4];
    if (c.kind === "bars") {
      o.paths = uPlot.paths.bars({ size: [1, Infinity], gap: 1, align: 1 });
      o.fill = color + "cc";
      o.width = 0;
    } else if (c.kind === "step") {
      o.paths = uPlot.paths.stepped({ align: 1 });
    }
    return o;
  }

  // overlays draws the bands under the series and the marks above them.
  function bandsHook(c) {
    return function (u) {
      if (!c.bands) return;
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      ctx.save();
      c.bands.forEach(function (b) {
        var x0 = Math.max(u.valToPos(b.from, "x", true), u.bbox.left);
        var x1 = Math.min(u.valToPos(b.to, "x", true), u.bbox.left + u.bbox.width);
        if (x1 <= x0) return;
        ctx.fillStyle = "rgba(138,143,152,0.12)";
        ctx.fillRect(x0, top, x1 - x0, h);
        label(u, b.label, x0 + 4 * devicePixelRatio, "left");
      });
      ctx.restore();
    };
  }
  function marksHook(c) {
    return function (u) {
      if (!c.marks) return;
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      ctx.save();
      c.marks.forEach(function (m) {
        var x = u.valToPos(m.x, "x", true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.strokeStyle = "#5f6673";
        ctx.lineWidth = devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + h);
        ctx.stroke();
        label(u, m.label, x - 4 * devicePixelRatio, "right");
      });
      ctx.restore();
    };
  }
  function label(u, text, x, align) {
    var ctx = u.ctx;
    ctx.setLineDash([]);
    ctx.font = (11 * devicePixelRatio) + "px sans-serif";
    ctx.fillStyle = "#394150";
    ctx.textAlign = align;
    ctx.textBaseline = "top";
    ctx.fillText(text, x, u.bbox.top + 4 * devicePixelRatio);
  }

  function build(fig, c) {
    var xs = c.xs || [];
    var data = [xs];
    var series = [{ label: c.x.label || (c.x.unit === "clock" ? "time" : "x"), value: function (u, v) {
      return c.x.unit === "clock" && v != null && Math.abs(v) < 60 ? fmtSec(v) : formatter(c.x.unit)(v);
    } }];
    c.series.forEach(function (s, i) {
      data.push(s.values);
      series.push(lineOpts(c, s, i));
    });
    var xmin = xs.length ? xs[0] : 0, xmax = xs.length ? xs[xs.length - 1] : 1;
    if (c.kind === "bars" && xs.length > 1) xmax += xs[xs.length - 1] - xs[xs.length - 2];
    (c.bands || []).forEach(function (b) { xmax = Math.max(xmax, b.to); });
    (c.marks || []).forEach(function (m) { xmax = Math.max(xmax, m.x); });
    if (c.x.unit === "clock") xmin = Math.min(0, xmin);
    var opts = {
      width: Math.max(fig.clientWidth - 8, 300),
      height: c.height || 260,
      series: series,
      axes: [axis(c.x, true), axis(c.y, false)],
      scales: {
        // The full view (on load and after a double-click) spans the marks,
        // bands and the last bar; a zoom keeps what was selected.
        x: { time: false, range: function (u, lo, hi) {
          if (lo == null || (lo === xs[0] && hi === xs[xs.length - 1])) return [xmin, xmax > xmin ? xmax : xmin + 1];
          return [lo, hi];
        } },
        y: { range: function (u, lo, hi) { return [Math.min(0, lo || 0), hi > 0 ? hi * 1.08 : 1]; } },
      },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
      hooks: { drawAxes: [bandsHook(c)], draw: [marksHook(c)] },
    };
    if (c.sync) opts.cursor.sync = { key: c.sync };
    var u = new uPlot(opts, data, fig);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        var w = Math.max(fig.clientWidth - 8, 300);
        if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: u.height });
      }).observe(fig);
    }
    fig.setAttribute("data-ready", "1");
    return u;
  }

  var figs = document.querySelectorAll("figure.lg-chart"), made = 0, errs = [];
  window.loadgenCharts = [];
  for (var i = 0; i < figs.length; i++) {
    try {
      var data = JSON.parse(figs[i].querySelector("script.lg-chart-data").textContent);
      window.loadgenCharts.push(build(figs[i], data));
      made++;
    } catch (err) {
      errs.push(String(err));
      figs[i].setAttribute("data-error", String(err));
    }
  }
  document.documentElement.setAttribute("data-charts", made + "/" + figs.length);
  if (errs.length) document.documentElement.setAttribute("data-chart-errors", errs.join("; "));
})();
