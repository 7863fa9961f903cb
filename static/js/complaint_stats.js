/*
 * Complaint statistics (CMP-4): the monthly trend as a line, categories and satisfaction scores as
 * vertical bars. Each <canvas data-complaint-chart="line|bar" data-chart-json="ID"> reads
 * {labels, values, label}; the tables beside the charts show the same numbers. Drawn by charts.js.
 */
(function () {
  "use strict";

  window.AppCharts.register("canvas[data-complaint-chart]", function (canvas, data) {
    var type = canvas.getAttribute("data-complaint-chart") || "bar";
    var colour = window.AppCharts.cssVar("--app-brand", "#0b5394");
    return {
      type: type,
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label || "",
            data: data.values,
            backgroundColor: colour,
            borderColor: colour,
            borderRadius: type === "bar" ? 4 : 0,
            maxBarThickness: 40,
            tension: 0,
            fill: false,
            pointRadius: 3,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  });
})();
