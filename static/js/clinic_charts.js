// Charts on the clinician's patient page and report: adherence per phase (stacked bars) and
// days between injections (actual against prescribed). The same figures are in tables beside
// them; without this file, or without Chart.js, the tables are the whole story.
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var printing = document.querySelector(".report") !== null;
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: still || printing ? false : undefined,
  };

  var adherence = document.getElementById("adherence-chart");
  if (adherence && data.adherence.length) {
    new window.Chart(adherence, {
      type: "bar",
      data: {
        labels: data.adherence.map(function (row) { return row.label; }),
        datasets: [
          { label: "On time", data: data.adherence.map(function (r) { return r.on_time; }), backgroundColor: "#198754" },
          { label: "Late", data: data.adherence.map(function (r) { return r.late; }), backgroundColor: "#b58100" },
          { label: "Missed", data: data.adherence.map(function (r) { return r.missed; }), backgroundColor: "#b02a37" },
        ],
      },
      options: Object.assign({}, common, {
        indexAxis: "y",
        scales: { x: { stacked: true, title: { display: true, text: "Doses" } }, y: { stacked: true } },
      }),
    });
  }

  var intervals = document.getElementById("interval-chart");
  if (intervals && data.intervals.length > 1) {
    // Days on a true time line (no date adapter needed): x is days since the first injection.
    var first = Date.parse(data.intervals[0].date);
    var DAY = 86400000;
    var points = function (key) {
      return data.intervals.map(function (p) {
        return { x: Math.round((Date.parse(p.date) - first) / DAY), y: p[key] };
      });
    };
    new window.Chart(intervals, {
      type: "line",
      data: {
        datasets: [
          {
            label: "Prescribed days",
            data: points("prescribed"),
            borderColor: "#495057",
            backgroundColor: "#495057",
            borderDash: [6, 4],
            pointStyle: "rect",
            spanGaps: true,
            order: 0,
          },
          {
            label: "Actual days since the previous injection",
            data: points("actual"),
            borderColor: "#0d6efd",
            backgroundColor: "#0d6efd",
            spanGaps: true,
            order: 1,
          },
        ],
      },
      options: Object.assign({}, common, {
        scales: {
          x: {
            type: "linear",
            title: { display: true, text: "Injection date" },
            ticks: {
              callback: function (value) {
                return new Date(first + value * DAY).toISOString().slice(0, 10);
              },
            },
          },
          y: { beginAtZero: true, title: { display: true, text: "Days" } },
        },
      }),
    });
  }

  var print = document.getElementById("print-report");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
})();
