/*
 * Training charts (TRN-1, TRN-3), drawn by charts.js from json_script data (no inline script):
 * - <canvas data-training-chart="plan">: planned hours (bars, left axis) and budget (bars, right
 *   axis) per quarter; data {labels, hours, budget, hours_label, budget_label}.
 * - <canvas data-training-chart="effect">: the related appraisal indicator the month before and
 *   the two months after a training, participants against non-participants of the same teams;
 *   data {labels, participants, others, participants_label, others_label} (null: not enough data).
 * The tables beside the charts hold the same numbers.
 */
(function () {
  "use strict";

  window.AppCharts.register("canvas[data-training-chart]", function (canvas, data) {
    var brand = window.AppCharts.cssVar("--app-brand", "#0b5394");
    var second = window.AppCharts.cssVar("--bs-warning", "#f0ad4e");
    if (canvas.getAttribute("data-training-chart") === "effect") {
      return {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: data.participants_label, data: data.participants, borderColor: brand, backgroundColor: brand, tension: 0, spanGaps: false },
            { label: data.others_label, data: data.others, borderColor: second, backgroundColor: second, borderDash: [6, 4], tension: 0, spanGaps: false },
          ],
        },
        options: { plugins: { legend: { display: true } }, scales: { y: { beginAtZero: false } } },
      };
    }
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.hours_label, data: data.hours, backgroundColor: brand, yAxisID: "y", borderRadius: 4, maxBarThickness: 40 },
          { label: data.budget_label, data: data.budget, backgroundColor: second, yAxisID: "y1", borderRadius: 4, maxBarThickness: 40 },
        ],
      },
      options: {
        plugins: { legend: { display: true } },
        scales: {
          y: { beginAtZero: true, position: "left" },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
        },
      },
    };
  });
})();
