/*
 * Security monitoring (SEC-3): security events over time, one line per category (after-hours
 * access overlaps the others, so lines, not stacked bars). The
 * <canvas data-security-chart data-chart-json="ID"> reads {labels, datasets: [{label, values}]};
 * the table under the chart holds the same numbers. Drawn by charts.js.
 */
(function () {
  "use strict";

  var palette = ["#b3261e", "#8a4b00", "#0b5394", "#5b2a86", "#1e6b3a", "#6b4f00", "#41484d"];

  window.AppCharts.register("canvas[data-security-chart]", function (canvas, data) {
    return {
      type: "line",
      data: {
        labels: data.labels,
        datasets: (data.datasets || []).map(function (set, i) {
          var colour = palette[i % palette.length];
          return { label: set.label, data: set.values, borderColor: colour, backgroundColor: colour, pointRadius: 2, tension: 0, fill: false };
        }),
      },
      options: {
        plugins: { legend: { display: true, position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  });
})();
