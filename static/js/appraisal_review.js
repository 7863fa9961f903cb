/*
 * HR's review of an appraisal cycle (PRF-2, PRF-4): bands A–E (and "not scored yet") stacked per
 * team, the team's average combined score in the tooltip. The
 * <canvas data-review-chart data-chart-json="ID"> reads {labels, datasets: [{band, label, data}],
 * averages, average_label} from a {{ chart|json_script:"ID" }} element; the table below the chart
 * shows the same numbers (the accessible alternative). No inline script (strict CSP).
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

  function draw(canvas) {
    if (canvas.getAttribute("data-chart-ready") || typeof window.Chart === "undefined") {
      return;
    }
    var source = document.getElementById(canvas.getAttribute("data-chart-json"));
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    if (!data || !data.labels || data.labels.length === 0) {
      return;
    }
    canvas.setAttribute("data-chart-ready", "1");
    var box = canvas.parentElement;
    if (box && box.getAttribute("data-chart-height")) {
      box.style.height = box.getAttribute("data-chart-height") + "px";
    }
    var averages = data.averages || [];
    new window.Chart(canvas, {
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
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
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
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-review-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
