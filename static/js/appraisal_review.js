/*
 * HR's review of an appraisal cycle (PRF-2, PRF-4): bands A–E (and "not scored yet") stacked per
 * team, the team's average combined score in the tooltip. The
 * <canvas data-review-chart data-chart-json="ID"> reads {labels, datasets: [{band, label, data}],
 * averages, average_label} from a {{ chart|json_script:"ID" }} element; the table below the chart
 * shows the same numbers (the accessible alternative). Drawn by charts.js.
 */
(function () {
  "use strict";

  var COLOURS = {
    A: "#198754",
    B: "#20c997",
    C: "#0d6efd",
    D: "#fd7e14",
    E: "#dc3545",
    "-": "#adb5bd",
  };

  window.AppCharts.register("canvas[data-review-chart]", function (canvas, data) {
    var averages = data.averages || [];
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: COLOURS[set.band] || "#6c757d",
            stack: "bands",
          };
        }),
      },
      options: {
        indexAxis: data.labels.length > 12 ? "y" : "x",
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            mode: "index",
            callbacks: {
              footer: function (items) {
                if (!items.length) {
                  return "";
                }
                var average = averages[items[0].dataIndex];
                return (data.average_label || "") + ": " + (average === null || average === undefined ? "—" : average);
              },
            },
          },
        },
        scales: {
          x: { stacked: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { precision: 0 } },
        },
      },
    };
  });
})();
