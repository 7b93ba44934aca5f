/* Kehu charts: one palette for the whole product (UI.md "Charts"), ECharts from /static/vendor/echarts.
   A chart is a <div data-chart="target-actual" data-source="ID"> whose data is the JSON of <script id="ID">. */
(function () {
  "use strict";
  var PALETTE = ["#1f4fd1", "#f59f00", "#2f9e44", "#e03131", "#7048e8", "#1098ad", "#868e96"];

  function money(value) {
    return "¥" + Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function compact(value, unit) {
    if (unit !== "money") return Number(value).toLocaleString();
    return Math.abs(value) >= 10000 ? (value / 10000).toFixed(1) + "万" : String(Math.round(value));
  }

  function targetActual(node, data) {
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      color: PALETTE,
      grid: { left: 56, right: 16, top: 40, bottom: 28 },
      legend: { top: 4, data: data.names },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return data.unit === "money" ? money(v) : Number(v).toLocaleString(); }
      },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return compact(v, data.unit); } } },
      series: [
        { name: data.names[0], type: "bar", data: data.target, barMaxWidth: 28 },
        { name: data.names[1], type: "line", data: data.actual, smooth: false, symbolSize: 7 }
      ]
    });
    if (data.links) {
      chart.on("click", function (params) { if (data.links[params.dataIndex]) window.location = data.links[params.dataIndex]; });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var source = document.getElementById(node.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (node.dataset.chart === "target-actual") targetActual(node, data);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
