/*
 * My appraisal history (PRF-3, PRF-4): the monthly combined scores as a line, 0 to 100. The
 * <canvas data-appraisal-chart data-chart-json="ID"> reads {labels, values, bands, label} from a
 * {{ chart|json_script:"ID" }} element; the history table shows the same numbers (the accessible
 * alternative). Drawn by charts.js.
 */
(function () {
  "use strict";

  window.AppCharts.register("canvas[data-appraisal-chart]", function (canvas, data) {
    var colour = window.AppCharts.cssVar("--app-brand", "#0b5394");
    var bands = data.bands || [];
    return {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label || "",
            data: data.values,
            borderColor: colour,
            backgroundColor: colour,
            tension: 0,
            fill: false,
            pointRadius: 4,
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var band = bands[context.dataIndex];
                return context.formattedValue + (band ? " (" + band + ")" : "");
              },
            },
          },
        },
        scales: { y: { min: 0, max: 100 } },
      },
    };
  });
})();
